#include "matrix_panel.h"

#include <algorithm>

#include "model/trace_session.h"

namespace rondo::viewer {

MatrixPanel::MatrixPanel(QWidget* parent) : QDockWidget("Messages (bytes, sender x receiver)", parent) {
  setObjectName("matrix");
  table_ = new QTableWidget(this);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  setWidget(table_);
}

void MatrixPanel::show_report(const analyzer::StatsReport& report) {
  const auto matrix = report.mpi.matrix_bytes();
  const int n = static_cast<int>(matrix.size());
  table_->clear();
  table_->setRowCount(n);
  table_->setColumnCount(n);
  uint64_t most = 1;
  for (const auto& row : matrix) most = std::max(most, *std::max_element(row.begin(), row.end()));
  for (int s = 0; s < n; ++s) {
    table_->setVerticalHeaderItem(s, new QTableWidgetItem(QString("from %1").arg(s)));
    table_->setHorizontalHeaderItem(s, new QTableWidgetItem(QString("to %1").arg(s)));
    for (int d = 0; d < n; ++d) {
      uint64_t bytes = matrix[static_cast<size_t>(s)][static_cast<size_t>(d)];
      auto* cell = new QTableWidgetItem(bytes ? QString::number(bytes) : QString());
      cell->setData(Qt::UserRole, static_cast<qulonglong>(bytes));
      // Linear heat: white for nothing, deep red for the busiest pair.
      int heat = static_cast<int>(200.0 * static_cast<double>(bytes) / static_cast<double>(most));
      cell->setBackground(QColor(255, 255 - heat, 255 - heat));
      cell->setForeground(heat > 120 ? Qt::white : Qt::black);
      cell->setToolTip(QString("rank %1 to rank %2: %3 bytes").arg(s).arg(d).arg(bytes));
      table_->setItem(s, d, cell);
    }
  }
}

}  // namespace rondo::viewer
