import Synchronization

extension GEMM {
    /// Floats in one scratch buffer: a packed B block and a packed A panel.
    static let scratchCount = kcMax * ncMax + mr * kcMax

    /// Runs `body` with a 64-byte aligned packing buffer of `scratchCount` floats.
    ///
    /// Buffers come from a free list, so only the first calls (one per concurrent thread) allocate;
    /// the pointer is valid only inside `body`.
    static func withScratch<R>(_ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        let buffer = scratchPool.acquire()
        defer { scratchPool.release(buffer) }
        return body(buffer.base)
    }
}

/// A packing buffer owned by whoever took it from the pool.
///
/// Sendable because the pool hands each buffer to one thread at a time: it is in the free list or
/// in exactly one `withScratch` call, never both.
private struct ScratchBuffer: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
}

/// Packing buffers reused across calls and threads, guarded by a mutex.
private final class ScratchPool: Sendable {
    private let free = Mutex<[ScratchBuffer]>([])

    init() {
        free.withLock { $0.reserveCapacity(64) }
    }

    func acquire() -> ScratchBuffer {
        if let buffer = free.withLock({ $0.popLast() }) { return buffer }
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: GEMM.scratchCount * MemoryLayout<Float>.stride, alignment: 64)
        return ScratchBuffer(base: raw.bindMemory(to: Float.self, capacity: GEMM.scratchCount))
    }

    func release(_ buffer: ScratchBuffer) {
        free.withLock { $0.append(buffer) }
    }
}

private let scratchPool = ScratchPool()
