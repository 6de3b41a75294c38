/* Part of lifecycle_program, in C: compiled with -finstrument-functions but
 * without -fexceptions, so an exception unwinding through c_middle skips its
 * exit hook (as through any C library, or any frame instrumented by clang). */
void c_middle(void (*callback)(void)) {
  volatile int before = 1;
  callback();
  (void)before;
}
