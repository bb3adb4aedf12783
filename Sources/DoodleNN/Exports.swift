// The engine (tensors, layers, optimizers and their kernels) is its own module so that it alone is
// built without overflow and bounds checks (Package.swift); this module, which parses model files and
// architecture specs from outside, keeps them. Its API is part of DoodleNN's.
@_exported import DoodleEngine
