#ifndef DOODLE_CPU_H
#define DOODLE_CPU_H

#include <stdint.h>

/// eax, ebx, ecx, edx of `cpuid` for `leaf` and `subleaf` into `registers`; all zero for a leaf the
/// CPU does not have, and everywhere on a CPU that is not x86_64.
void doodle_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t registers[4]);

/// XCR0, the register state the operating system saves on a context switch (bits 1-2: xmm and ymm,
/// bits 5-7: the AVX-512 state); 0 when the CPU or the OS has no `xgetbv`, or on other CPUs.
uint64_t doodle_xcr0(void);

#endif
