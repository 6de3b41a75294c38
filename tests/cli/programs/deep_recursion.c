// deep_recursion [N]: one plain recursion N calls deep (default 100000), built
// with -finstrument-functions, so that its trace holds a call stack N levels
// deep. The recursion runs on a thread with a 1 GiB stack (only the pages it
// touches are used) so that the program itself survives the depth whatever
// the shell's stack limit.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

// Not a tail call (1 + ...), so every level is a real frame with its own enter and leave.
static long recurse(long n) { return n <= 1 ? 1 : 1 + recurse(n - 1); }

static void *descend(void *arg) {
  long *depth = arg;
  *depth = recurse(*depth);
  return NULL;
}

int main(int argc, char **argv) {
  long depth = argc > 1 ? atol(argv[1]) : 100000;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, (size_t)1 << 30);
  pthread_t thread;
  if (pthread_create(&thread, &attr, descend, &depth) != 0) {
    fprintf(stderr, "deep_recursion: cannot start a thread with a 1 GiB stack\n");
    return 1;
  }
  pthread_join(thread, NULL);
  printf("deep_recursion: %ld levels\n", depth);
  return 0;
}
