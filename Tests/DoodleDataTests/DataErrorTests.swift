import DoodleData
import Testing

@Suite struct DataErrorTests {
    @Test func namesTheFileAndTheProblem() {
        let error = DataError("cat.npy", "truncated: 12 of 784 bytes")
        #expect(error.description == "cat.npy: truncated: 12 of 784 bytes")
    }
}
