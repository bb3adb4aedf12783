// What the CPU reports, for choosing a kernel set at start-up (DoodleKernels' CPUFeatures).
#include "doodle_cpu.h"

#if defined(__x86_64__)
#include <cpuid.h>

void doodle_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t registers[4]) {
    registers[0] = registers[1] = registers[2] = registers[3] = 0;
    if (leaf > __get_cpuid_max(leaf & 0x80000000u, 0)) return;
    __cpuid_count(leaf, subleaf, registers[0], registers[1], registers[2], registers[3]);
}

uint64_t doodle_xcr0(void) {
    uint32_t registers[4];
    doodle_cpuid(1, 0, registers);
    if (!(registers[2] & (1u << 27))) return 0;  // OSXSAVE: the OS enabled xgetbv
    uint32_t low, high;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return ((uint64_t)high << 32) | low;
}
#else
void doodle_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t registers[4]) {
    (void)leaf;
    (void)subleaf;
    registers[0] = registers[1] = registers[2] = registers[3] = 0;
}

uint64_t doodle_xcr0(void) { return 0; }
#endif
