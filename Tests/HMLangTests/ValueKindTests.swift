import Testing
@testable import HMLang

/// `ValueKind.tagMask` (the native-call fast path) and `accepts` (every other path) are two
/// switches over the same kinds: a tag in the mask must be accepted, and a value accepted
/// without its tag in the mask must be one the mask sends to `accepts` (bit 15).
struct ValueKindTests {
  @Test func tagMaskAgreesWithAccepts() {
    let vm = VM()
    let samples: [Value] = [.absent, .nil, .true, Value(3), Value(2.5), vm.heap.makeString("s"), vm.heap.makeList([]),
                            vm.heap.makeMap(), vm.heap.makeRange(start: 0, stop: 2, step: 1)]
    let kinds: [ValueKind] = [.any, .int, .number, .bool, .string, .list, .map, .function, .range, .object("tensor"),
                              .oneOf([.int, .list]), .optional(.string), .optional(.oneOf([.number, .object("policy")]))]
    for kind in kinds {
      for v in samples {
        let inMask = kind.tagMask & (1 << UInt16(v.tag.rawValue)) != 0
        if inMask { #expect(kind.accepts(v), "\(kind.description) and \(v.tag)") }
        if kind.accepts(v) && !inMask { #expect(kind.tagMask & 0x8000 != 0, "\(kind.description) and \(v.tag)") }
      }
    }
  }
}
