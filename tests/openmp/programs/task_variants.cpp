// Task variants whose data must reach the task intact through the openmp
// module's task wrapper: firstprivate C++ objects (copy constructors: libgomp's
// cpyfn), 64-byte alignment, if(0) (run at once), final (and a task inside it),
// depend, untied + priority + mergeable; then a taskloop. Exits 0 only when every
// task saw its data and the sum is right.
//
// Tasks: 20 + 1 + 2 + 2 + 1 = 26, one taskwait, one taskloop (16 iterations, in
// its taskgroup).
#include <omp.h>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>
struct Big { std::string s; std::vector<int> v; alignas(64) double d[3]; };
int main() {
  long sum = 0; int ok = 1;
  #pragma omp parallel num_threads(4)
  #pragma omp single
  {
    for (int i = 0; i < 20; ++i) {
      Big b; b.s = "task" + std::to_string(i); b.v.assign(i, i); b.d[0] = i;
      #pragma omp task firstprivate(b, i) shared(sum, ok)
      {  // cpyfn: copy constructors
        if (b.s != "task" + std::to_string(i) || (int)b.v.size() != i || b.d[0] != i) ok = 0;
        if (((uintptr_t)&b.d[0]) % 64) ok = 0;
        #pragma omp atomic
        sum += i;
      }
    }
    int x = 5;
    #pragma omp task if(0) firstprivate(x) shared(sum)
    {
      #pragma omp atomic
      sum += x;
    }
    #pragma omp task final(1) shared(sum)
    {
      #pragma omp task shared(sum)
      {
        #pragma omp atomic
        sum += 1000;
      }
    }
    int dep = 0;
    #pragma omp task depend(out: dep) shared(dep)
    dep = 7;
    #pragma omp task depend(in: dep) shared(dep, sum)
    {
      #pragma omp atomic
      sum += dep;
    }
    #pragma omp task untied priority(3) mergeable shared(sum)
    {
      #pragma omp atomic
      sum += 100000;
    }
    #pragma omp taskwait
    #pragma omp taskloop grainsize(4) shared(sum)
    for (int i = 0; i < 16; ++i) {
      #pragma omp atomic
      sum += 1;
    }
  }
  std::printf("sum %ld ok %d\n", sum, ok);
  return !(ok && sum == 190 + 5 + 1000 + 7 + 100000 + 16);
}
