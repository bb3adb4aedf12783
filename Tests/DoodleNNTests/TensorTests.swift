import DoodleNN
import Testing

@Suite struct TensorTests {
    @Test func reshapeKeepsElements() {
        let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let r = t.reshaped([3, 2])
        #expect(r.shape == [3, 2])
        #expect(r.scalars == t.scalars)
    }

    @Test func copiesAreIndependent() {
        let a = Tensor(repeating: 1, shape: [4])
        var b = a
        b[flat: 0] = 5
        #expect(a[flat: 0] == 1)
        #expect(b[flat: 0] == 5)
    }
}
