import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The workbook's shared-strings table as one byte arena with 32-bit offsets, filled on a thread
/// of its own while the sheet is parsed.
///
/// At a million rows this table holds millions of strings; one arena costs their bytes plus four
/// bytes each, where an array of `String` would cost an allocation and 16 bytes or more each.
///
/// Excel numbers shared strings in the order the sheet first uses them, so the sheet parser rarely
/// needs a string that is not loaded yet: the two parts are parsed at the same time, one per core,
/// and the sheet waits only when it overtakes the table. The arena's capacity is fixed up front
/// from the part's declared size (text is never longer than the XML it comes from; untouched pages
/// cost no memory), so it never moves and readers need no lock: they read strings below
/// ``published``, which the loader advances with release ordering after writing each string.
final class SharedStrings: @unchecked Sendable {
    // @unchecked Sendable: `bytes`, `offsets` and `byteCount`/`count` are written only by the loader
    // thread; other threads read only entries below `published` (acquire), and `failure` only after
    // `finished` (acquire) says the loader stopped writing.
    private let bytes: UnsafeMutablePointer<UInt8>
    private let byteCapacity: Int
    private let offsets: UnsafeMutablePointer<UInt32>
    private let countCapacity: Int
    private var byteCount = 0
    private var count = 0
    private let published = Atomic<Int>(0)
    private let finished = Atomic<Bool>(false)
    private let stopRequested = Atomic<Bool>(false)
    private var failure: SpreadsheetError?
    /// The loader thread, joined once by ``stopAndWait()`` (set by ``load(_:from:)`` before any
    /// reader can see the table).
    private var loader: pthread_t?
    private let joined = Atomic<Bool>(false)

    /// A table for a part of (at most) `partBytes` bytes of XML.
    init(partBytes: Int) {
        byteCapacity = max(partBytes, 16)
        // The smallest item, `<si/>`, takes 5 bytes.
        countCapacity = max(partBytes / 5, 1) + 1
        bytes = .allocate(capacity: byteCapacity)
        offsets = .allocate(capacity: countCapacity + 1)
        offsets[0] = 0
    }

    /// A table with no strings (the workbook has no sharedStrings part).
    static func empty() -> SharedStrings {
        let table = SharedStrings(partBytes: 0)
        table.finished.store(true, ordering: .releasing)
        return table
    }

    deinit {
        bytes.deallocate()
        offsets.deallocate()
    }

    /// Raw views for the sheet parser; valid while this table is alive.
    var arena: (bytes: UnsafePointer<UInt8>, offsets: UnsafePointer<UInt32>) {
        (UnsafePointer(bytes), UnsafePointer(offsets))
    }

    /// How many strings readers may use now.
    var available: Int { published.load(ordering: .acquiring) }

    /// Waits until string `index` is loaded, or the table is complete without it; returns the
    /// number available then. Throws the loader's failure.
    func waitFor(_ index: Int) throws -> Int {
        var pause: UInt32 = 20
        while true {
            let now = published.load(ordering: .acquiring)
            if index < now { return now }
            if finished.load(ordering: .acquiring) {
                if let failure { throw failure }
                return published.load(ordering: .acquiring)
            }
            usleep(pause)
            pause = min(pause * 2, 2_000)
        }
    }

    /// Waits for the loader to finish and throws its failure, if any.
    func waitUntilLoaded() throws {
        while !finished.load(ordering: .acquiring) { usleep(200) }
        if let failure { throw failure }
    }

    /// Asks the loader to stop early (the reader was abandoned).
    func stop() { stopRequested.store(true, ordering: .relaxed) }

    /// Stops the loader and joins its thread (it notices at its next read, a chunk later), so an
    /// abandoned reader leaves nothing running behind it, libxml2's per-thread state included.
    /// Safe to call more than once and from more than one owner: the first joins, the others wait.
    func stopAndWait() {
        stop()
        if let loader, joined.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            pthread_join(loader, nil)
        }
        while !finished.load(ordering: .acquiring) { usleep(100) }
    }

    // MARK: Loading (the loader thread only)

    fileprivate func append(_ text: UnsafeBufferPointer<UInt8>) throws {
        if text.contains(UInt8(ascii: "_")) {
            var decoded: [UInt8] = []
            EscapedText.append(text, to: &decoded)
            try decoded.withUnsafeBufferPointer { try store($0) }
        } else {
            try store(text)
        }
    }

    private func store(_ source: UnsafeBufferPointer<UInt8>) throws {
        guard byteCount + source.count <= byteCapacity, count < countCapacity else {
            throw SpreadsheetError(.corruptZip, "the shared strings are larger than the zip directory says; "
                                   + "the file is damaged")
        }
        if let base = source.baseAddress { (bytes + byteCount).update(from: base, count: source.count) }
        byteCount += source.count
        count += 1
        offsets[count] = UInt32(truncatingIfNeeded: byteCount)
        published.store(count, ordering: .releasing)
    }

    private func finish(_ error: SpreadsheetError?) {
        failure = error
        finished.store(true, ordering: .releasing)
    }

    /// Starts loading `part` on its own thread, from its own handle on the file, and returns the
    /// table at once. Rich-text runs are joined; phonetic (`rPh`) runs are left out.
    static func load(_ part: String, from archive: ZipArchive) throws -> SharedStrings {
        let own = try archive.reopen()
        guard let entry = try own.open(part) else { return .empty() }
        // 32-bit offsets: a table holds at most 4 GiB of text.
        let size = Int(min(entry.declaredSize ?? archive.limits.maxPartBytes, archive.limits.maxPartBytes, 1 << 32 - 1))
        let table = SharedStrings(partBytes: size)
        let job = LoadJob(table: table, entry: entry, part: part)
        table.loader = try Threads.start { job.run() }
        return table
    }

    /// What the loader thread owns: the table, and the part's own zip handle.
    private final class LoadJob: @unchecked Sendable {
        // @unchecked Sendable: created on the caller's thread and from then on used only by the loader.
        let table: SharedStrings
        let entry: ZipEntryReader
        let part: String

        init(table: SharedStrings, entry: ZipEntryReader, part: String) {
            self.table = table
            self.entry = entry
            self.part = part
        }

        func run() {
            // The handler and its buffers are gone before `finish`, which a dropped reader waits for.
            table.finish(parse())
        }

        private func parse() -> SpreadsheetError? {
            do {
                let handler = SharedStringsHandler(table: table)
                try XMLStreamParser.parse(part, handler: handler) { [table, entry] buffer in
                    // An abandoned reader: ending the input ends the parse (its error goes unread).
                    table.stopRequested.load(ordering: .relaxed) ? 0 : try entry.read(into: buffer)
                }
                return nil
            } catch let error as SpreadsheetError {
                var error = error
                error.part = error.part ?? part
                return error
            } catch {
                return SpreadsheetError(.readFailed, "the shared strings cannot be read", part: part)
            }
        }
    }
}

/// Collects `<si>` items. State sits behind a pointer for the same reason as the sheet handler's:
/// millions of callbacks, no exclusivity checks or reference counting per event.
private final class SharedStringsHandler: SAXHandler {
    private let state: UnsafeMutablePointer<State>
    private let table: SharedStrings

    struct State {
        var inItem = false
        var inText = false
        var phoneticDepth = 0
        var current = ByteBuffer(capacity: 4096)
        var textStart = 0
        var preserveSpace = false
    }

    init(table: SharedStrings) {
        self.table = table
        state = .allocate(capacity: 1)
        state.initialize(to: State())
    }

    deinit {
        state.pointee.current.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    override func startElement(_ name: UnsafePointer<UInt8>, _ attributes: SAXAttributes) {
        if SAXName.equals(name, "t") {
            state.pointee.inText = state.pointee.inItem && state.pointee.phoneticDepth == 0
            state.pointee.textStart = state.pointee.current.count
            state.pointee.preserveSpace = WhitespaceRule.preserves(attributes)
        } else if SAXName.equals(name, "si") {
            state.pointee.inItem = true
            state.pointee.current.removeAll()
        } else if SAXName.equals(name, "rPh") {
            state.pointee.phoneticDepth += 1
        }
    }

    override func endElement(_ name: UnsafePointer<UInt8>) {
        if SAXName.equals(name, "t") {
            if state.pointee.inText && !state.pointee.preserveSpace {
                WhitespaceRule.trim(&state.pointee.current, from: state.pointee.textStart)
            }
            state.pointee.inText = false
        } else if SAXName.equals(name, "si") {
            state.pointee.inItem = false
            do {
                try table.append(state.pointee.current.buffer)
            } catch let error as SpreadsheetError {
                fail(error)
            } catch {}
        } else if SAXName.equals(name, "rPh") {
            state.pointee.phoneticDepth -= 1
        }
    }

    override func characters(_ bytes: UnsafePointer<UInt8>, _ count: Int) {
        if state.pointee.inText { state.pointee.current.append(bytes, count: count) }
    }
}
