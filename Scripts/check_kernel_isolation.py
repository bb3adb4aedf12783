#!/usr/bin/env python3
"""Checks that a kernel set's instructions cannot leak into code another set runs.

Each kernel module (Sources/DoodleKernels*) is compiled with its own -target-cpu. The Swift compiler
also emits small helpers into it that other modules emit under the same name (value-witness copies
such as __swift_memcpy112_8, outlined copies, some specialisations); the linker keeps one copy of
each. If it kept the AVX-512 module's copy, baseline code calling it would stop with SIGILL on a CPU
without AVX-512. Package.swift orders the modules so the least demanding copy comes first; this
script checks the result in a linked binary:

  Scripts/check_kernel_isolation.py .build/release/doodle .build/release

For every weak symbol a DoodleKernelsX86v3/X86v4 module defines, the copy in the binary must need
no more than the least demanding module that defines it (1: plain x86-64, 3: AVX2/BMI/FMA, 4: AVX-512).
"""
import glob, os, re, subprocess, sys

LEVELS = {"DoodleKernelsX86v3": 3, "DoodleKernelsX86v4": 4}


def defined(objects):
    """name -> type letter for every symbol the objects define."""
    out = subprocess.run(["nm", "--defined-only", *objects], capture_output=True, text=True).stdout
    symbols = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            symbols[parts[2]] = parts[1]
    return symbols


def level_of(assembly):
    """The x86-64 level an instruction listing needs."""
    if re.search(r"%zmm|%k[0-7]|\{1to|\{%k", assembly):
        return 4
    if re.search(r"%ymm|^\s*[0-9a-f]+:\s+(v\w+|shlx|shrx|sarx|rorx|andn|bzhi|pdep|pext|lzcnt|tzcnt|movbe)\b",
                 assembly, re.M):
        return 3
    return 1


def main(binary, build):
    modules = {}
    for directory in glob.glob(os.path.join(build, "*.build")):
        name = os.path.basename(directory)[: -len(".build")]
        objects = glob.glob(os.path.join(directory, "**", "*.o"), recursive=True)
        if objects:
            modules[name] = defined(objects)
    candidates = {}
    for name, level in LEVELS.items():
        for symbol, kind in modules.get(name, {}).items():
            if kind in "Ww":
                candidates.setdefault(symbol, []).append(name)
    linked = defined([binary])
    problems, checked = [], 0
    for symbol in sorted(candidates):
        if symbol not in linked:
            continue
        needs = min(LEVELS.get(name, 1) for name, symbols in modules.items() if symbol in symbols)
        listing = subprocess.run(
            ["objdump", "-d", "--no-show-raw-insn", f"--disassemble={symbol}", binary],
            capture_output=True, text=True).stdout
        checked += 1
        if level_of(listing) > needs:
            problems.append(f"{symbol}: the linked copy needs x86-64-v{level_of(listing)}, "
                            f"but a module of level {needs} calls it")
    for problem in problems:
        print(problem)
    print(f"{checked} shared symbols of the AVX kernel modules checked in {binary}, {len(problems)} unsafe")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
