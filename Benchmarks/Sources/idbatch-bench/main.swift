// The Swift side of the benchmark jobs that have no idbatch command of their own. xlsx to CSV is
// measured on `idbatch convert` itself.
//
//   idbatch-bench csv-read IN.csv          read every row through SpreadsheetReader
//   idbatch-bench xlsx-write OUT.xlsx ROWS write the report rows through XLSXWriter
//   idbatch-bench csv-write OUT.csv ROWS   write the report rows through CSVWriter
//   idbatch-bench create-checks --concurrency N --latency MS --seconds S [--url URL]
//                                          create Truora checks against the sandbox (see CreateChecks.swift)
import Spreadsheet

#if canImport(Glibc)
import Glibc
#endif

/// The same 16-column rows as Benchmarks/c/write_floor.c and peers.py, built from bytes the way
/// the C program builds them with snprintf (no String per cell).
func reportRow(_ r: Int, into row: inout Row, scratch: inout [UInt8]) {
    row.reset(number: r + 1)
    for c in 0..<16 {
        scratch.removeAll(keepingCapacity: true)
        if c % 4 == 3 {
            // r * 1.5 + c, printed as the shortest decimal: twice it is an integer.
            let twice = r * 3 + 2 * c
            appendDigits(twice / 2, to: &scratch)
            if twice % 2 == 1 { scratch.append(contentsOf: [UInt8(ascii: "."), UInt8(ascii: "5")]) }
            scratch.withUnsafeBufferPointer { row.append(utf8: $0, type: .number) }
        } else {
            scratch.append(contentsOf: valuePrefix)
            appendDigits(r, to: &scratch)
            scratch.append(UInt8(ascii: "-"))
            appendDigits(c, to: &scratch)
            scratch.append(contentsOf: valueSuffix)
            scratch.withUnsafeBufferPointer { row.append(utf8: $0, type: .text) }
        }
    }
}

let valuePrefix = Array("valor ".utf8)
let valueSuffix = Array(" José Peña".utf8)

func appendDigits(_ value: Int, to out: inout [UInt8]) {
    if value >= 10 { appendDigits(value / 10, to: &out) }
    out.append(UInt8(48 + value % 10))
}

func complain(_ message: String) {
    var text = message + "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

func header() -> Row {
    Row(number: 1, cells: (0..<16).map { Cell(text: "columna_\($0)", type: .text) })
}

/// The header and `count` report rows, then close.
func writeReport(to writer: RowWriter, rows count: Int) throws {
    try writer.write(header())
    var row = Row(number: 0)
    var scratch: [UInt8] = []
    for r in 1...count {
        reportRow(r, into: &row, scratch: &scratch)
        try writer.write(row)
    }
    try writer.close()
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    complain("usage: idbatch-bench csv-read IN | xlsx-write OUT ROWS | csv-write OUT ROWS | create-checks [OPTIONS]")
    exit(64)
}
do {
    switch arguments[1] {
    case "csv-read":
        let reader = try SpreadsheetReader(path: arguments[2])
        var rows = 0
        var bytes = 0
        while let row = try reader.next() {
            rows += 1
            row.forEachCell { _, cell, _ in bytes += cell.count }
        }
        print("read \(rows) rows, \(bytes) bytes of cells")
    case "xlsx-write":
        try writeReport(to: XLSXWriter(path: arguments[2], options: .init(sheetName: "Informe")), rows: Int(arguments[3])!)
    case "csv-write":
        try writeReport(to: CSVWriter(path: arguments[2]), rows: Int(arguments[3])!)
    case "create-checks":
        try await createChecksBenchmark(Array(arguments.dropFirst(2)))
    default:
        complain("unknown job \(arguments[1])")
        exit(64)
    }
} catch {
    complain("idbatch-bench: \(error)")
    exit(65)
}
