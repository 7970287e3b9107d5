import Foundation
import Testing
@testable import HMRL

@Suite struct GridMazeTests {
  static let designMap = """
    #########
    #S..#...#
    #.#.#.#G#
    #.#...#.#
    #########
    """

  @Test func parsesIndentedMapsAndNumbersStatesRowMajor() throws {
    let maze = try GridMaze(map: "\n   S.G\n   .#H\n", horizon: 5)
    #expect(maze.rows == 2 && maze.columns == 3)
    #expect(maze.stateCount == 5)
    #expect(maze.positions[3] == GridPosition(row: 1, column: 0))
    #expect(maze.state(at: GridPosition(row: 1, column: 1)) == nil)
    #expect(maze.mdp.isTerminal == [false, false, true, false, true])
    #expect(try maze.observation(of: 4, as: .normalizedCoordinates) == [1, 1])
    #expect(try maze.observation(of: 1, as: .oneHot) == [0, 1, 0, 0, 0])
  }

  @Test func valueIterationGivesHandComputedOptimalReturns() throws {
    // Corridor: the goal is 3 moves away.
    let corridor = "S..G"
    #expect(valueIteration(try GridMaze(map: corridor, horizon: 10).mdp).expectedReturn == 1)
    #expect(valueIteration(try GridMaze(map: corridor, horizon: 2).mdp).expectedReturn == 0)
    // γ = 0.9: the reward arrives at decision t = 2, discounted by γ².
    expectRelative(valueIteration(try GridMaze(map: corridor, horizon: 10, discount: 0.9).mdp).expectedReturn,
                   0.81, 1e-15, "discounted corridor")
    // MiniGrid: success at decision t = 2 of H = 10 pays 1 − 0.9·3/10.
    expectRelative(valueIteration(try GridMaze(map: corridor, horizon: 10, reward: .minigrid).mdp).expectedReturn,
                   0.73, 1e-15, "minigrid corridor")
    // Dense: −(distance after each move) = −2 − 1 − 0.
    #expect(valueIteration(try GridMaze(map: corridor, horizon: 10, reward: .dense).mdp).expectedReturn == -3)
    // A hole between start and goal ends every episode that tries to pass.
    #expect(valueIteration(try GridMaze(map: "SHG", horizon: 10).mdp).expectedReturn == 0)
    #expect(valueIteration(try GridMaze(map: "S.\nHG", horizon: 10).mdp).expectedReturn == 1)
    // Slip in a walled corridor: only the intended or a sideways-into-the-wall move, so each
    // decision advances with probability 1/3; reaching G needs 2 advances in 3 decisions:
    // 3·(1/3)²·(2/3) + (1/3)³ = 7/27.
    let slippery = try GridMaze(map: "#####\n#S.G#\n#####", horizon: 3, slippery: true)
    expectRelative(valueIteration(slippery.mdp).expectedReturn, 7.0 / 27, 1e-14, "slippery corridor")
    // The design map: 11 moves from S to G.
    let design = try GridMaze(map: Self.designMap, horizon: 30, discount: 0.9)
    expectRelative(valueIteration(design.mdp).expectedReturn, pow(0.9, 10), 1e-14, "design maze")
    #expect(valueIteration(try GridMaze(map: Self.designMap, horizon: 10).mdp).expectedReturn == 0)
    #expect(valueIteration(try GridMaze(map: Self.designMap, horizon: 11).mdp).expectedReturn == 1)
  }

  @Test func exactEvaluationAgreesWithMonteCarloOnASlipperyMaze() throws {
    let maze = try GridMaze(map: "S..\n.H.\n..G", horizon: 12, reward: .minigrid, slippery: true)
    let policy = try valueIteration(maze.mdp).firstStepPolicy(actionCount: 4)
    let exact = try policyEvaluation(maze.mdp, policy).expectedReturn
    var g = SplitMix64(seed: 5)
    var returns = [Double]()
    for _ in 0..<20_000 { returns.append(try sampleEpisode(maze.mdp, policy, using: &g).discountedReturn(discount: 1)) }
    let (mean, variance) = meanAndVariance(returns)
    expectWithinStandardErrors(mean, exact, standardError: (variance / 20_000).squareRoot(), z: 4, "slippery maze return")
    // The environment step agrees with the tables.
    var h = SplitMix64(seed: 6)
    let step = try maze.step(from: maze.startState, action: 3, at: 0, using: &h)
    #expect(try maze.transition(from: maze.startState, action: 3)[step.next] > 0)
  }

  @Test func goalTasksCoverEveryFreeCell() throws {
    let maze = try GridMaze(map: Self.designMap, horizon: 30)
    let tasks = try goalTasks(maze)
    // 15 non-wall cells, minus the start.
    #expect(tasks.count == 14)
    #expect(Set(tasks.map(\.goal)).count == 14)
    for task in tasks {
      let taskMaze = try task.maze()
      #expect(taskMaze.goal == task.goal)
      #expect(task.features == maze.normalizedCoordinates(of: task.goal))
      #expect(taskMaze.mdp.isTerminal.filter { $0 }.count == 1)
      #expect(valueIteration(taskMaze.mdp).expectedReturn == 1)
    }
    #expect(tasks.first?.features == [2.0 / 8, 0.25])
  }

  @Test func rendersGoldenText() throws {
    let maze = try GridMaze(map: Self.designMap, horizon: 30, discount: 0.9)
    let policy = try valueIteration(maze.mdp).firstStepPolicy(actionCount: 4)
    let path = try maze.greedyPath(policy)
    #expect(path.count == 12)
    #expect(try maze.render(trajectories: [path]) == """
      █████████
      █S→↓█→→↓█
      █·█↓█↑█G█
      █·█→→↑█·█
      █████████
      """)
    #expect(try maze.render(trajectories: [path], glyphs: .ascii) == """
      #########
      #S>v#>>v#
      #.#v#^#G#
      #.#>>^#.#
      #########
      """)
    let holes = try GridMaze(map: "S.H\n..G", horizon: 5)
    #expect(try holes.render(trajectories: [[0, 1, 1, 4, 5], [3, 3]], glyphs: .ascii) == "SvH\n*>G")
    #expect(try holes.render() == "S·○\n··G")
  }

  static var rsvgConvert: String? {
    let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
      .map { "\($0)/rsvg-convert" }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  @Test(.enabled(if: rsvgConvert != nil, "rsvg-convert (librsvg2-bin) is not installed: SVG rendering check skipped"))
  func svgRendersWithRsvgConvert() throws {
    let maze = try GridMaze(map: Self.designMap, horizon: 30, discount: 0.9)
    let policy = try valueIteration(maze.mdp).firstStepPolicy(actionCount: 4)
    let svg = try maze.svg(trajectories: [try maze.greedyPath(policy), [0, 1, 0]], cellSize: 20.5)
    #expect(svg.hasPrefix("<?xml") && svg.contains("<polyline"))
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hmrl-svg-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = dir.appendingPathComponent("maze.svg"), output = dir.appendingPathComponent("maze.png")
    try svg.write(to: input, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Self.rsvgConvert ?? "/usr/bin/rsvg-convert")
    process.arguments = ["-o", output.path, input.path]
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    process.waitUntilExit()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(process.terminationStatus == 0, "rsvg-convert failed: \(message)")
    let size = (try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? Int) ?? 0
    #expect((size ?? 0) > 0)
  }

  @Test func badMapsAndActionsAreTypedErrors() throws {
    expectRLError(.invalidMap, containing: "maze: row 3 has 7 columns, expected 9") {
      try GridMaze(map: "#########\n#S.....G#\n#######\n#########", horizon: 5)
    }
    expectRLError(.invalidMap, containing: "maze: the map has no start cell 'S'") { try GridMaze(map: "#..G#", horizon: 5) }
    expectRLError(.invalidMap, containing: "maze: unknown character 'x' at row 1, column 3") { try GridMaze(map: "S.xG", horizon: 5) }
    expectRLError(.invalidMap, containing: "maze: the map has no free cells") { try GridMaze(map: "###\n###", horizon: 5) }
    expectRLError(.invalidMap, containing: "maze: the map is empty") { try GridMaze(map: "\n  \n", horizon: 5) }
    expectRLError(.invalidMap, containing: "more than one start") { try GridMaze(map: "S.S", horizon: 5) }
    expectRLError(.invalidMap, containing: "the map has 1025 non-wall cells, more than the limit of 1024") {
      try GridMaze(map: "S" + String(repeating: ".", count: 1024), horizon: 5)
    }
    expectRLError(.invalidMap, containing: "more than one goal") { try GridMaze(map: "SGG", horizon: 5) }
    expectRLError(.invalidArgument, containing: "maze: horizon must be in 1...100000, got 0") { try GridMaze(map: "S.G", horizon: 0) }
    let maze = try GridMaze(map: "S.G", horizon: 5)
    expectRLError(.outOfRange, containing: "maze.step: action 4 is out of range 0..<4") { try maze.transition(from: 0, action: 4) }
    expectRLError(.outOfRange, containing: "maze.step: state 7 is out of range") { try maze.transition(from: 7, action: 0) }
    var g = SplitMix64(seed: 1)
    expectRLError(.outOfRange, containing: "maze.step: action -1") { try maze.step(from: 0, action: -1, at: 0, using: &g) }
    expectRLError(.outOfRange, containing: "maze.step: step 5 is out of range") { try maze.step(from: 0, action: 0, at: 5, using: &g) }
    expectRLError(.outOfRange, containing: "maze.render: trajectory state 9") { try maze.render(trajectories: [[0, 9]]) }
    expectRLError(.outOfRange, containing: "maze.svg: trajectory state -1") { try maze.svg(trajectories: [[-1]]) }
    expectRLError(.invalidArgument, containing: "cellSize must be a positive number") { try maze.svg(cellSize: 0) }
    expectRLError(.invalidArgument, containing: "a goal must be on a free cell") { try maze.withGoal(at: GridPosition(row: 0, column: 0)) }
    expectRLError(.outOfRange, containing: "maze.observation: state 3") { try maze.observation(of: 3, as: .oneHot) }
    expectRLError(.invalidMap, containing: "goalTasks: the maze has no free cell") { try goalTasks(GridMaze(map: "SH", horizon: 3)) }
  }
}
