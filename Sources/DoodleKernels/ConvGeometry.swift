/// The geometry of a 2-D convolution or pooling window over an NHWC image batch.
public struct ConvGeometry: Sendable, Equatable {
    public var batch, height, width, channels: Int
    public var kernelHeight, kernelWidth: Int
    public var stride: Int
    /// Zero padding before the first row and column; the rest of the padding goes after the last.
    public var padTop, padLeft: Int
    public var outHeight, outWidth: Int

    /// Rows of the im2col matrix: one per output pixel of the batch.
    @inlinable public var colRows: Int { batch * outHeight * outWidth }
    /// Columns of the im2col matrix: one per (ky, kx, c) tap of the window.
    @inlinable public var colColumns: Int { kernelHeight * kernelWidth * channels }

    /// A geometry; `outHeight` and `outWidth` are the caller's, who knows how the padding rounds.
    public init(
        batch: Int, height: Int, width: Int, channels: Int, kernelHeight: Int, kernelWidth: Int,
        stride: Int, padTop: Int, padLeft: Int, outHeight: Int, outWidth: Int
    ) {
        (self.batch, self.height, self.width, self.channels) = (batch, height, width, channels)
        (self.kernelHeight, self.kernelWidth, self.stride) = (kernelHeight, kernelWidth, stride)
        (self.padTop, self.padLeft, self.outHeight, self.outWidth) = (padTop, padLeft, outHeight, outWidth)
    }
}
