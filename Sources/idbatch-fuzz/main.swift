import FuzzTargets
import Foundation

// Built two ways. `scripts/fuzz.sh` builds it with -sanitize=fuzzer,address and -DFUZZING
// -parse-as-library: libFuzzer provides main and calls LLVMFuzzerTestOneInput below with the
// target named in IDBATCH_FUZZ_TARGET. Built plainly, it replays files through a target:
//   idbatch-fuzz TARGET FILE...    (idbatch-fuzz --list names the targets)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    FuzzDriver.target.run(data)
    return 0
}

enum FuzzDriver {
    static let target: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["IDBATCH_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("idbatch-fuzz: set IDBATCH_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            exit(64)
        }
        return target
    }()
}

extension FuzzDriver {
    /// Plain build: `idbatch-fuzz --list`, or `idbatch-fuzz TARGET FILE...` to replay files.
    static func replay(_ arguments: [String]) {
        if arguments.first == "--list" {
            for target in FuzzTarget.allCases { print("\(target.rawValue)\t\(target.summary)") }
            exit(0)
        }
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("usage: idbatch-fuzz --list | TARGET FILE...\n".utf8))
            exit(64)
        }
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            target.run(data)
        }
    }
}

// A declaration, not a statement: under -parse-as-library (the fuzzing build) it is a lazy global
// nothing reads, and libFuzzer's main runs; in the plain build it runs as the program.
#if !FUZZING
private let replayed: Void = FuzzDriver.replay(Array(CommandLine.arguments.dropFirst()))
#endif
