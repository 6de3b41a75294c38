#include <rondo/rondo.h>

#include <cstdio>

int main() {
  for (int i = 0; i < 25; ++i) {
    RONDO_SCOPE("consumer_work");
  }
  std::printf("consumer done, recording=%d\n", rondo_is_recording());
  return 0;
}
