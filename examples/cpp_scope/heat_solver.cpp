// A 1-D heat equation solver instrumented with RONDO_SCOPE: each scope becomes a
// region in the trace. Without `rondo record` it runs at full speed and records
// nothing.
//
//   rondo record -o heat.rondo ./heat_solver 200
//   rondo stats heat.rondo
#include <rondo/rondo.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

void apply_boundary(std::vector<double>& u) {
  RONDO_SCOPE("apply_boundary");
  u.front() = 1.0;
  u.back() = 0.0;
}

void diffuse(const std::vector<double>& u, std::vector<double>& next) {
  RONDO_SCOPE("diffuse");
  for (size_t i = 1; i + 1 < u.size(); ++i) next[i] = u[i] + 0.25 * (u[i - 1] - 2 * u[i] + u[i + 1]);
}

double residual(const std::vector<double>& u, const std::vector<double>& next) {
  RONDO_SCOPE("residual");
  double r = 0;
  for (size_t i = 0; i < u.size(); ++i) r += (next[i] - u[i]) * (next[i] - u[i]);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int steps = argc > 1 ? std::atoi(argv[1]) : 200;
  RONDO_SCOPE("solve");
  std::vector<double> u(4096, 0.0), next(4096, 0.0);
  double r = 0;
  for (int s = 0; s < steps; ++s) {
    apply_boundary(u);
    diffuse(u, next);
    if (s % 10 == 0) r = residual(u, next);  // every tenth step only
    u.swap(next);
  }
  rondo_marker("converged");
  std::printf("heat_solver: %d steps, last residual %.3e\n", steps, r);
  return 0;
}
