#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A cell position in a maze: row 0 is the top line of the map, column 0 its first character.
public struct GridPosition: Hashable, Sendable, CustomStringConvertible {
  public let row: Int
  public let column: Int
  public init(row: Int, column: Int) { self.row = row; self.column = column }
  public var description: String { "(\(row), \(column))" }
}

/// A grid maze parsed from an ASCII map, in the FrozenLake/MiniGrid tradition, and its exact
/// tabular MDP.
///
/// Map characters: `#` wall, `.` free, `S` start (exactly one), `G` goal (at most one),
/// `H` hole (FrozenLake: entering it ends the episode with reward 0).
///
/// - States are the non-wall cells in row-major order (`positions[s]`, `state(at:)`).
/// - Actions: 0 up, 1 down, 2 left, 3 right (`GridMaze.Action`). A move into a wall or off the
///   grid leaves the agent in place. With `slippery`, the intended move happens with
///   probability 1/3 and each perpendicular move with 1/3 (FrozenLake's slip).
/// - The goal and holes are terminal (see `TabularMDP`): entering them ends the episode.
/// - Rewards (`RewardKind`): sparse 1 on entering the goal; MiniGrid 1 − 0.9·(t+1)/H on
///   entering the goal at decision t (t = 0 … H−1, MiniGrid counts the step before rewarding);
///   dense −(shortest-path distance from the new cell to the goal) each step.
public struct GridMaze: Sendable, Equatable {
  /// One character of the map.
  public enum Cell: Character, Sendable, CaseIterable {
    case wall = "#", free = ".", start = "S", goal = "G", hole = "H"
  }

  /// The four moves, with their action indices.
  public enum Action: Int, Sendable, CaseIterable {
    case up = 0, down = 1, left = 2, right = 3

    /// (Δrow, Δcolumn).
    var offset: (Int, Int) {
      switch self {
      case .up: return (-1, 0)
      case .down: return (1, 0)
      case .left: return (0, -1)
      case .right: return (0, 1)
      }
    }

    /// The two perpendicular moves (where a slip goes).
    var perpendicular: (Action, Action) {
      switch self {
      case .up, .down: return (.left, .right)
      case .left, .right: return (.up, .down)
      }
    }
  }

  /// The reward scheme.
  public enum RewardKind: String, Sendable, CaseIterable {
    /// 1 on entering the goal (the episode ends), 0 otherwise.
    case sparse
    /// MiniGrid: 1 − 0.9·(t+1)/H on entering the goal at decision t, 0 otherwise.
    case minigrid
    /// −d(s') every step, d the shortest-path distance (in moves, avoiding walls and holes) from
    /// the new cell to the goal; entering the goal earns 0 and ends the episode. Cells that cannot
    /// reach the goal (and every cell when there is no goal) get d = rows·columns.
    /// NOTE: a hole ends the episode after one −d, which can beat a long walk: this is the usual
    /// caveat of distance shaping, kept rather than hidden.
    case dense
  }

  /// How an observation encodes a state.
  public enum ObservationKind: String, Sendable, CaseIterable {
    /// `[S]`, 1 at the state's index.
    case oneHot
    /// `[2]`: (column/(columns−1), row/(rows−1)) ∈ [0, 1]², 0 along a dimension of size 1.
    case normalizedCoordinates
  }

  /// The map, row-major `[rows*columns]`.
  public let cells: [Cell]
  /// Number of map lines.
  public let rows: Int
  /// Characters per map line.
  public let columns: Int
  /// The start cell.
  public let start: GridPosition
  /// The goal cell, if the map has one.
  public let goal: GridPosition?
  /// Maximum number of decisions per episode.
  public let horizon: Int
  /// The reward scheme.
  public let reward: RewardKind
  /// Whether moves slip (1/3 intended, 1/3 each perpendicular).
  public let slippery: Bool
  /// γ used by the tabular MDP.
  public let discount: Double
  /// `positions[s]`: the cell of state s (non-wall cells, row-major).
  public let positions: [GridPosition]
  /// The exact MDP of this maze.
  public let mdp: TabularMDP

  /// The largest number of non-wall cells a maze may have.
  ///
  /// NOTE: the MDP stores dense S×A×S transition and reward tables: 1024 states take
  /// 2 × 32 MiB. Larger maps need sparse tables, which HMRL does not have yet.
  public static let maximumStateCount = 1024

  /// Parses a map and builds the maze's MDP.
  ///
  /// The map may be indented and surrounded by blank lines (as in a triple-quoted string): blank
  /// leading/trailing lines, the common indentation and trailing spaces are removed first.
  ///
  /// - Parameters:
  ///   - map: the ASCII map.
  ///   - horizon: H ≥ 1.
  ///   - reward: the reward scheme (default sparse).
  ///   - slippery: FrozenLake slip (default false).
  ///   - discount: γ ∈ [0, 1] (default 1).
  /// - Throws: `RLError` (`.invalidMap`) naming `maze`: an empty map, ragged rows
  ///   (`maze: row 3 has 7 columns, expected 9`), an unknown character, no free cell, no start
  ///   or several starts, several goals, more than `maximumStateCount` non-wall cells;
  ///   `.invalidArgument` for a bad horizon or discount.
  /// - Complexity: O(cells²) to build the transition table.
  public init(map: String, horizon: Int, reward: RewardKind = .sparse, slippery: Bool = false,
              discount: Double = 1) throws {
    let op = "maze"
    let lines = GridMaze.normalisedLines(map)
    guard let width = lines.first?.count, width > 0 else {
      throw RLError(.invalidMap, op, "the map is empty")
    }
    var cells = [Cell]()
    var start: GridPosition?, goal: GridPosition?
    for (r, line) in lines.enumerated() {
      guard line.count == width else {
        throw RLError(.invalidMap, op, "row \(r + 1) has \(line.count) columns, expected \(width)")
      }
      for (c, ch) in line.enumerated() {
        guard let cell = Cell(rawValue: ch) else {
          throw RLError(.invalidMap, op,
                        "unknown character '\(ch)' at row \(r + 1), column \(c + 1) (use # . S G H)")
        }
        if cell == .start {
          if let s = start {
            throw RLError(.invalidMap, op, "more than one start 'S': row \(s.row + 1), column \(s.column + 1) and row \(r + 1), column \(c + 1)")
          }
          start = GridPosition(row: r, column: c)
        }
        if cell == .goal {
          if let g = goal {
            throw RLError(.invalidMap, op, "more than one goal 'G': row \(g.row + 1), column \(g.column + 1) and row \(r + 1), column \(c + 1)")
          }
          goal = GridPosition(row: r, column: c)
        }
        cells.append(cell)
      }
    }
    guard cells.contains(where: { $0 != .wall }) else {
      throw RLError(.invalidMap, op, "the map has no free cells")
    }
    let open = cells.filter { $0 != .wall }.count
    guard open <= GridMaze.maximumStateCount else {
      throw RLError(.invalidMap, op, "the map has \(open) non-wall cells, more than the limit of \(GridMaze.maximumStateCount)")
    }
    guard let startCell = start else {
      throw RLError(.invalidMap, op, "the map has no start cell 'S'")
    }
    guard horizon >= 1, horizon <= TabularMDP.maximumHorizon else {
      throw RLError(.invalidArgument, op, "horizon must be in 1...\(TabularMDP.maximumHorizon), got \(horizon)")
    }
    guard discount >= 0, discount <= 1 else {
      throw RLError(.invalidArgument, op, "discount must be in [0, 1], got \(discount)")
    }
    try self.init(cells: cells, rows: lines.count, columns: width, start: startCell, goal: goal,
                  horizon: horizon, reward: reward, slippery: slippery, discount: discount)
  }

  /// Builds a maze from parsed cells (used by `init(map:)` and `withGoal(at:)`).
  init(cells: [Cell], rows: Int, columns: Int, start: GridPosition, goal: GridPosition?,
       horizon: Int, reward: RewardKind, slippery: Bool, discount: Double) throws {
    self.cells = cells
    self.rows = rows
    self.columns = columns
    self.start = start
    self.goal = goal
    self.horizon = horizon
    self.reward = reward
    self.slippery = slippery
    self.discount = discount
    var positions = [GridPosition]()
    for r in 0..<rows {
      for c in 0..<columns where cells[r * columns + c] != .wall {
        positions.append(GridPosition(row: r, column: c))
      }
    }
    self.positions = positions
    self.mdp = try GridMaze.buildMDP(cells: cells, rows: rows, columns: columns, positions: positions,
                                     start: start, goal: goal, horizon: horizon, reward: reward,
                                     slippery: slippery, discount: discount)
  }

  /// Number of states (non-wall cells).
  public var stateCount: Int { positions.count }
  /// Number of actions (4).
  public var actionCount: Int { Action.allCases.count }

  /// The cell at a position (walls outside the grid).
  public func cell(at p: GridPosition) -> Cell {
    guard p.row >= 0, p.row < rows, p.column >= 0, p.column < columns else { return .wall }
    return cells[p.row * columns + p.column]
  }

  /// The state index of a non-wall position, or nil for walls and positions off the grid.
  public func state(at p: GridPosition) -> Int? {
    guard cell(at: p) != .wall else { return nil }
    return GridMaze.stateIndex(of: p, positions: positions)
  }

  /// The start state.
  public var startState: Int { state(at: start) ?? 0 }

  /// The observation of state `s`.
  /// - Throws: `RLError` (`.outOfRange`) naming `maze.observation` for a state out of range.
  public func observation(of s: Int, as kind: ObservationKind) throws -> [Double] {
    guard s >= 0, s < stateCount else {
      throw RLError(.outOfRange, "maze.observation", "state \(s) is out of range 0..<\(stateCount)")
    }
    switch kind {
    case .oneHot:
      var v = [Double](repeating: 0, count: stateCount)
      v[s] = 1
      return v
    case .normalizedCoordinates:
      return normalizedCoordinates(of: positions[s])
    }
  }

  /// (column/(columns−1), row/(rows−1)), 0 along a dimension of size 1.
  public func normalizedCoordinates(of p: GridPosition) -> [Double] {
    [columns > 1 ? Double(p.column) / Double(columns - 1) : 0,
     rows > 1 ? Double(p.row) / Double(rows - 1) : 0]
  }

  /// The same maze with its goal moved to `position` (the old goal cell becomes free).
  /// - Throws: `RLError` naming `maze.withGoal` when `position` is a wall, a hole, the start,
  ///   or off the grid.
  public func withGoal(at position: GridPosition) throws -> GridMaze {
    let op = "maze.withGoal"
    let here = cell(at: position)
    guard here == .free || here == .goal else {
      throw RLError(.invalidArgument, op, "cell \(position) is \(here) ('\(here.rawValue)'); a goal must be on a free cell")
    }
    var newCells = cells
    if let g = goal { newCells[g.row * columns + g.column] = .free }
    newCells[position.row * columns + position.column] = .goal
    return try GridMaze(cells: newCells, rows: rows, columns: columns, start: start, goal: position,
                        horizon: horizon, reward: reward, slippery: slippery, discount: discount)
  }

  /// The distribution of the next state after `action` in state `s`, `[S]`.
  /// - Throws: `RLError` (`.outOfRange`) naming `maze.step` for a state or action out of range.
  public func transition(from s: Int, action: Int) throws -> [Double] {
    guard s >= 0, s < stateCount else {
      throw RLError(.outOfRange, "maze.step", "state \(s) is out of range 0..<\(stateCount)")
    }
    guard action >= 0, action < actionCount else {
      throw RLError(.outOfRange, "maze.step", "action \(action) is out of range 0..<\(actionCount) (0 up, 1 down, 2 left, 3 right)")
    }
    let row = (s * actionCount + action) * stateCount
    return Array(mdp.transitions[row..<(row + stateCount)])
  }

  /// One environment step from state `s` at decision `t`: samples the next state and returns it
  /// with its reward and whether the episode ended (terminal state or horizon reached).
  /// - Throws: `RLError` (`.outOfRange`) naming `maze.step` for a bad state, action or step.
  public func step(from s: Int, action: Int, at t: Int,
                   using generator: inout some RandomNumberGenerator) throws -> (next: Int, reward: Double, done: Bool) {
    let distribution = try transition(from: s, action: action)
    guard t >= 0, t < horizon else {
      throw RLError(.outOfRange, "maze.step", "step \(t) is out of range 0..<\(horizon)")
    }
    let next = sampleCategorical(distribution[...], using: &generator)
    let r = mdp.rewardScale(step: t) * mdp.rewardUnchecked(state: s, action: action, next: next)
    return (next, r, mdp.isTerminal[next] || t + 1 == horizon)
  }

  // MARK: - Construction helpers

  static func normalisedLines(_ map: String) -> [[Character]] {
    var lines = map.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
      var l = line[...]
      while let last = l.last, last == " " || last == "\t" || last == "\r" { l = l.dropLast() }
      return l
    }
    while let first = lines.first, first.isEmpty { lines.removeFirst() }
    while let last = lines.last, last.isEmpty { lines.removeLast() }
    let indent = lines.map { $0.prefix(while: { $0 == " " || $0 == "\t" }).count }.min() ?? 0
    return lines.map { Array($0.dropFirst(indent)) }
  }

  static func stateIndex(of p: GridPosition, positions: [GridPosition]) -> Int? {
    var lo = 0, hi = positions.count
    while lo < hi {
      let mid = (lo + hi) / 2
      let q = positions[mid]
      if q == p { return mid }
      if (q.row, q.column) < (p.row, p.column) { lo = mid + 1 } else { hi = mid }
    }
    return nil
  }

  /// Moves from `p` by `action`, staying in place at walls and edges.
  static func moved(_ p: GridPosition, _ action: Action, cells: [Cell], rows: Int, columns: Int) -> GridPosition {
    let (dr, dc) = action.offset
    let q = GridPosition(row: p.row + dr, column: p.column + dc)
    guard q.row >= 0, q.row < rows, q.column >= 0, q.column < columns,
          cells[q.row * columns + q.column] != .wall else { return p }
    return q
  }

  /// Shortest-path distances (in moves) to the goal, through non-wall, non-hole cells; holes
  /// get one more than their nearest non-hole neighbour; unreachable cells get rows·columns.
  static func goalDistances(cells: [Cell], rows: Int, columns: Int, positions: [GridPosition],
                            goal: GridPosition?) -> [Double] {
    let cap = Double(rows * columns)
    var distance = [Double](repeating: cap, count: positions.count)
    guard let goal, let g = stateIndex(of: goal, positions: positions) else { return distance }
    distance[g] = 0
    var queue = [goal], head = 0
    while head < queue.count {
      let p = queue[head]; head += 1
      let dp = distance[stateIndex(of: p, positions: positions) ?? 0]
      for action in Action.allCases {
        let q = moved(p, action, cells: cells, rows: rows, columns: columns)
        guard q != p, let qi = stateIndex(of: q, positions: positions), distance[qi] == cap else { continue }
        distance[qi] = dp + 1
        if cells[q.row * columns + q.column] != .hole { queue.append(q) }
      }
    }
    return distance
  }

  static func buildMDP(cells: [Cell], rows: Int, columns: Int, positions: [GridPosition],
                       start: GridPosition, goal: GridPosition?, horizon: Int, reward: RewardKind,
                       slippery: Bool, discount: Double) throws -> TabularMDP {
    let nS = positions.count, nA = Action.allCases.count
    var transitions = [Double](repeating: 0, count: nS * nA * nS)
    var rewards = [Double](repeating: 0, count: nS * nA * nS)
    var terminal = Set<Int>()
    let distances = reward == .dense
      ? goalDistances(cells: cells, rows: rows, columns: columns, positions: positions, goal: goal) : []
    for (s, p) in positions.enumerated() {
      let kind = cells[p.row * columns + p.column]
      if kind == .goal || kind == .hole { terminal.insert(s) }
      for action in Action.allCases {
        let row = (s * nA + action.rawValue) * nS
        var outcomes: [(Action, Double)] = [(action, 1)]
        if slippery {
          let (l, r) = action.perpendicular
          outcomes = [(action, 1.0 / 3), (l, 1.0 / 3), (r, 1.0 / 3)]
        }
        for (move, probability) in outcomes {
          let q = moved(p, move, cells: cells, rows: rows, columns: columns)
          let next = stateIndex(of: q, positions: positions) ?? s
          transitions[row + next] += probability
        }
        for next in 0..<nS where transitions[row + next] > 0 {
          let nextKind = cells[positions[next].row * columns + positions[next].column]
          switch reward {
          case .sparse, .minigrid: rewards[row + next] = nextKind == .goal ? 1 : 0
          case .dense: rewards[row + next] = -distances[next]
          }
        }
      }
    }
    var initial = [Double](repeating: 0, count: nS)
    initial[stateIndex(of: start, positions: positions) ?? 0] = 1
    let scale: [Double]? = reward == .minigrid
      ? (0..<horizon).map { 1 - 0.9 * Double($0 + 1) / Double(horizon) } : nil
    return try TabularMDP(stateCount: nS, actionCount: nA, transitions: transitions,
                          rewards: .perTransition(rewards), initialDistribution: initial,
                          horizon: horizon, discount: discount, terminalStates: terminal,
                          stepRewardScale: scale)
  }
}
