import Testing

@Test func placeholder_HMTensorTests() { #expect(true) }
