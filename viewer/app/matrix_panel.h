// The "Messages" dock: the communication matrix of the analysed window as a
// heat map, bytes of matched messages from the row's rank to the column's
// rank (analyzer::MpiStats::matrix_bytes, the `matrix_bytes` of `rondo stats
// --json`); the darker the cell, the more bytes.
#pragma once

#include <QDockWidget>
#include <QTableWidget>

#include "rondo/analyzer/analysis.h"

namespace rondo::viewer {

class MatrixPanel : public QDockWidget {
  Q_OBJECT
 public:
  explicit MatrixPanel(QWidget* parent = nullptr);
  void show_report(const analyzer::StatsReport& report);
  // [src][dst]: the exact byte count in Qt::UserRole of each cell.
  QTableWidget* table() const { return table_; }

 private:
  QTableWidget* table_ = nullptr;
};

}  // namespace rondo::viewer
