import HMRL

/// The native objects of HMRL's tabular world as hm values: each wraps one immutable HMRL value
/// and prints as a one-line summary. Their properties and methods are declared in the
/// primitive files (MazePrimitives, TabularPrimitives, DivergencePrimitives).

/// A grid maze (`maze(...)`).
final class MazeBox: NativeObject {
  let maze: GridMaze
  /// What `maze.observation(s)` returns by default (policies over this maze see it).
  let observation: GridMaze.ObservationKind
  init(_ maze: GridMaze, observation: GridMaze.ObservationKind = .oneHot) { self.maze = maze; self.observation = observation }
  var typeName: String { "maze" }
  func describe(width: Int) -> String {
    "<maze \(maze.columns)×\(maze.rows), \(maze.stateCount) states, horizon \(maze.horizon), \(maze.reward.rawValue)\(maze.slippery ? ", slippery" : "")>"
  }
}

/// A tabular MDP with explicit tables (`tabular_mdp(...)`, `maze.mdp`).
final class MDPBox: NativeObject {
  let mdp: TabularMDP
  init(_ mdp: TabularMDP) { self.mdp = mdp }
  var typeName: String { "mdp" }
  func describe(width: Int) -> String {
    "<mdp \(mdp.stateCount) states, \(mdp.actionCount) actions, horizon \(mdp.horizon), gamma \(formatFloat(mdp.discount))>"
  }
}

/// A tabular policy π[s][a].
final class PolicyBox: NativeObject {
  let policy: TabularPolicy
  init(_ policy: TabularPolicy) { self.policy = policy }
  var typeName: String { "policy" }
  func describe(width: Int) -> String { "<policy \(policy.stateCount) states × \(policy.actionCount) actions>" }
}

/// One goal task of a maze family (`goal_tasks(maze)`).
final class GoalTaskBox: NativeObject {
  let task: GoalTask
  let index: Int
  init(_ task: GoalTask, index: Int) { self.task = task; self.index = index }
  var typeName: String { "task" }
  func describe(width: Int) -> String { "<task \(index): goal at row \(task.goal.row), column \(task.goal.column)>" }
}

/// A k-armed Bernoulli bandit (`bandit_family(...)`).
final class BanditBox: NativeObject {
  let bandit: Bandit
  init(_ bandit: Bandit) { self.bandit = bandit }
  var typeName: String { "bandit" }
  func describe(width: Int) -> String {
    "<bandit \(bandit.armMeans.count) arms, horizon \(bandit.horizon)>"
  }
}

/// A multivariate normal N(μ, Σ) (`gaussian(mean, cov)`).
final class GaussianBox: NativeObject {
  let distribution: GaussianDistribution
  init(_ distribution: GaussianDistribution) { self.distribution = distribution }
  var typeName: String { "gaussian" }
  func describe(width: Int) -> String {
    switch distribution.covariance {
    case .diagonal: return "<gaussian in \(distribution.dimension) dimensions, diagonal covariance>"
    case .full: return "<gaussian in \(distribution.dimension) dimensions, full covariance>"
    }
  }
}
