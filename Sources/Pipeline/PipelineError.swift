import CheckInputs
import ProviderAPI
import Spreadsheet

/// Why a run could not go on: a stable `code` (it goes into the ledger and maps to the exit
/// code), a message that says what to do, and the file it concerns. Never a cell value or a secret.
public struct PipelineError: Error, Sendable, CustomStringConvertible, Equatable {
    public var code: String
    public var message: String
    public var file: String?

    public init(_ code: String, _ message: String, file: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
    }

    public static let credentialsMissing = "credentials_missing"
    public static let stateUnusable = "state_unusable"
    public static let usage = "usage"
    public static let jobInvalid = "job_invalid"
    /// An explicit binding names a column or an input that does not exist.
    public static let mappingInvalid = "mapping_invalid"

    public var description: String { (file.map { "\($0): " } ?? "") + message }

    /// The exit code this error ends the process with.
    public var exitCode: Int32 { ExitStatus.code(for: code) }

    /// Wraps the errors other modules throw at a run, keeping their codes.
    public static func from(_ error: any Error, file: String? = nil) -> PipelineError {
        switch error {
        case let error as PipelineError: return error
        case let error as SpreadsheetError:
            return PipelineError(error.code.rawValue, error.description)
        case let problem as ColumnMapper.Problem:
            return PipelineError(mappingInvalid, problem.message, file: file)
        case let problem as JobFile.Problem:
            return PipelineError(jobInvalid, problem.description)
        case let error as ProviderError:
            return PipelineError(error.stableCode, error.description, file: file)
        case let missing as ProviderAPI.Environment.Missing:
            return PipelineError(credentialsMissing, missing.reason)
        default:
            return PipelineError(stateUnusable, "\(type(of: error))", file: file)
        }
    }
}

/// The exit codes of DESIGN, decided here and nowhere else from the stable codes of every module.
public enum ExitStatus {
    public static let ok: Int32 = 0
    /// The run finished and wrote its reports, but some rows failed, are pending or were skipped.
    public static let someRowsNotOK: Int32 = 2
    public static let usage: Int32 = 64
    public static let dataError: Int32 = 65
    public static let inputMissing: Int32 = 66
    public static let unavailable: Int32 = 69
    public static let cannotCreate: Int32 = 73
    public static let temporary: Int32 = 75
    public static let credentials: Int32 = 77
    public static let configuration: Int32 = 78
    /// Stopped by Ctrl-C (128 + SIGINT).
    public static let interrupted: Int32 = 130

    /// The exit code for a stable error code from any module.
    public static func code(for code: String) -> Int32 {
        switch code {
        case SpreadsheetError.Code.fileMissing.rawValue: return inputMissing
        case SpreadsheetError.Code.writeFailed.rawValue: return cannotCreate
        case PipelineError.usage: return usage
        case PipelineError.jobInvalid, PipelineError.mappingInvalid: return configuration
        case PipelineError.credentialsMissing, "credentials_refused": return credentials
        case "provider_unreachable", "provider_error", "circuit_open": return unavailable
        case "provider_rate_limited", "lock_held": return temporary
        case PipelineError.stateUnusable: return cannotCreate
        default: return dataError
        }
    }
}
