public struct TaskPair: Sendable, Equatable, Codable { public var first: Int; public var second: Int; public var similar: Bool
  public init(first: Int, second: Int, similar: Bool) { self.first = first; self.second = second; self.similar = similar } }
