// long_names: C++ functions whose demangled names run to hundreds of
// characters (templates over standard containers), built with
// -finstrument-functions. `rondo stats` must keep its text tables readable.
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace solver::detail {

template <typename Key, typename Value>
struct Table {
  std::map<Key, Value> cells;
};

using Cells = Table<std::string, std::vector<std::pair<std::string, std::map<int, std::vector<double>>>>>;

template <typename T>
__attribute__((noinline)) size_t count_cells(const T& table, const std::map<std::string, std::vector<int>>& filter) {
  return table.cells.size() + filter.size();
}

}  // namespace solver::detail

int main() {
  solver::detail::Cells cells;
  cells.cells["a"] = {};
  std::map<std::string, std::vector<int>> filter;
  size_t total = 0;
  for (int i = 0; i < 3; ++i) total += solver::detail::count_cells(cells, filter);
  std::printf("long_names: %zu\n", total);
  return 0;
}
