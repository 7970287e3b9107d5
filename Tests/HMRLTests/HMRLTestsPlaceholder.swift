import Testing

@Test func placeholder_HMRLTests() { #expect(true) }
