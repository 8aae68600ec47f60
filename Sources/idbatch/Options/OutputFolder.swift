import ArgumentParser
import Foundation
import Pipeline

/// Where reports and summaries go.
enum OutputFolder {
    static func ensure(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ValidationError("--out '\(path)' is a file, not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            FileHandleOutput.stderr("idbatch: error: cannot create the folder '\(path)'\n")
            throw ExitCode(ExitStatus.cannotCreate)
        }
    }
}
