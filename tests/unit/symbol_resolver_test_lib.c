/* Shared library that test_symbol_resolver.cpp dlopen()s after the resolver has already scanned the loaded
 * modules, to check that later-loaded libraries are found. */

__attribute__((noinline)) static int rondo_test_lib_static(int x) { return x * 3 + 1; }

int rondo_test_lib_function(int x) { return rondo_test_lib_static(x) + 2; }

/* The static function has no dynamic symbol: hand out its address so the test can resolve it (.symtab). */
void* rondo_test_lib_static_address(void) { return (void*)&rondo_test_lib_static; }
