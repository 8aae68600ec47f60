import CheckInputs
import Foundation
import ProviderAPI

/// `idbatch collect`: looks once at every row of earlier runs that is still waiting for a result
/// (then keeps looking for `wait`), and writes those runs' reports again in place. An input that
/// has moved or changed since is named, and its results are written by row number instead.
public struct Collector: Sendable {
    public let ledger: Ledger
    public let providers: RunProviders
    public let control: RunControl
    public var concurrency = 8
    public var wait: Duration = .zero
    /// Writes the reports here instead of where each run wrote them.
    public var outDirectory: String?
    public var observe: @Sendable (RunProgress) -> Void = { _ in }

    public init(ledger: Ledger, providers: RunProviders, control: RunControl) {
        self.ledger = ledger
        self.providers = providers
        self.control = control
    }

    /// One collected run: its new summary, and why its input could not be read, if it could not.
    public struct Collected: Sendable {
        public var result: RunResult
        public var inputProblem: String?
    }

    public func collect() async throws(PipelineError) -> [Collected] {
        var collected: [Collected] = []
        for run in try ledger.runsWithOpenRows() {
            guard !control.isStopped else { break }
            guard var plan = ReportPlan.decode(run.plan), let mode = Provider(rawValue: plan.mode), let runID = run.id
            else { continue }
            if let outDirectory { plan.outDirectory = outDirectory }
            // Plans from before Workflow Studio was the default ran the seed's routes.
            let api = plan.truliooAPI.flatMap(TruliooAPI.init(rawValue:)) ?? .platformV2
            let caller = RowCaller(mode: mode, providers: providers, flowID: plan.flowID, signedURL: false,
                                   redirectURL: nil, pollBase: .seconds(1), truliooAPI: api)
            let poller = ResultPoller(ledger: ledger, caller: caller, concurrency: concurrency, control: control)
            let started = ContinuousClock.now
            let input = plan.input
            let observe = self.observe
            let report: @Sendable (Int) -> Void = { done in
                observe(RunProgress(file: input, phase: .waiting, done: done, total: nil, ok: 0, failed: 0, pending: 0,
                                    elapsed: (ContinuousClock.now - started).seconds))
            }
            if mode == .truoraBatch, let client = providers.truora {
                // Batches still running first: their reports bring the check ids the poller then follows.
                let finisher = BatchFinisher(ledger: ledger, client: client, caller: caller, control: control)
                var requests = try await finisher.finish(fileID: run.fileID, mode: plan.mode, until: .now,
                                                         everyBatchOnce: true, observe: report)
                if wait > .zero {
                    let more = try await finisher.finish(fileID: run.fileID, mode: plan.mode, until: .now + wait,
                                                         observe: report)
                    for (kind, count) in more { requests[kind, default: 0] += count }
                }
                for (kind, count) in requests { plan.requests[kind, default: 0] += count }
            }
            var tally = try await poller.poll(fileID: run.fileID, mode: plan.mode, until: .now, everyRowOnce: true,
                                              observe: report)
            if wait > .zero {
                let more = try await poller.poll(fileID: run.fileID, mode: plan.mode, until: .now + wait,
                                                 observe: report)
                for (kind, count) in more.requests { tally.requests[kind, default: 0] += count }
            }
            let engine = RunEngine(configuration: RunConfiguration(settings: CheckSettings()), providers: providers,
                                   ledger: ledger, control: control, observe: observe)
            if let client = providers.truora, mode.isTruora {
                let more = try await engine.followUps(plan: plan, client: client, fileID: run.fileID,
                                                      until: .now + wait)
                for (kind, count) in more { tally.requests[kind, default: 0] += count }
            }
            for (kind, count) in tally.requests { plan.requests[kind, default: 0] += count }
            plan.finishedAt = Date()

            let problem = Self.inputProblem(plan)
            let result = try engine.writeOutputs(plan: plan, fileID: run.fileID, runID: runID, warnings: [],
                                                 stopReason: nil, byRowNumber: problem != nil)
            collected.append(Collected(result: result, inputProblem: problem))
        }
        return collected
    }

    /// Why the run's input cannot be read as it was: gone, or its content changed.
    static func inputProblem(_ plan: ReportPlan) -> String? {
        guard FileManager.default.fileExists(atPath: plan.input) else {
            return "\(plan.input) is no longer there; its results are written by row number"
        }
        guard let sha = try? FileDigest.sha256(path: plan.input), sha == plan.sha256 else {
            return "\(plan.input) has changed since it was run; its results are written by row number"
        }
        return nil
    }
}
