import Testing

@Test func placeholder_hmamlTests() { #expect(true) }
