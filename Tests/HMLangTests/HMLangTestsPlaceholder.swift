import Testing

@Test func placeholder_HMLangTests() { #expect(true) }
