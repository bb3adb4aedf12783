// libFuzzer's entry point for a program that keeps its own main (llvm.org/docs/LibFuzzer.html,
// "Using libFuzzer as a library"). The symbol comes from the runtime `swiftc -sanitize=fuzzer` links;
// a normal build never calls it, so it needs no library.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
