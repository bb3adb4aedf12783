import DoodleTraining
import Testing

@Suite struct TrainingErrorTests {
    @Test func describesItself() {
        #expect(TrainingError("no classes").description == "no classes")
    }
}
