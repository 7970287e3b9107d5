import Testing

@Test func placeholder_HMRuntimeTests() { #expect(true) }
