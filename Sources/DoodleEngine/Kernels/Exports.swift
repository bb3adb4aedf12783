// The common part of the kernel sets (the thread pool, `ConvGeometry`, `KernelSet` and what the CPU
// reports) is part of the engine's API.
@_exported import DoodleKernels
