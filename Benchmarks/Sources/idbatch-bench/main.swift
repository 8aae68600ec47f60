// The Swift side of the benchmark jobs that have no idbatch command of their own. xlsx to CSV is
// measured on `idbatch convert` itself.
//
//   idbatch-bench csv-read IN.csv          read every row through SpreadsheetReader
//   idbatch-bench xlsx-write OUT.xlsx ROWS write the report rows through XLSXWriter
//   idbatch-bench csv-write OUT.csv ROWS   write the report rows through CSVWriter
import Spreadsheet

#if canImport(Glibc)
import Glibc
#endif

/// The same 16-column rows as Benchmarks/c/write_floor.c and peers.py.
func reportRow(_ r: Int, into row: inout Row) {
    row.reset(number: r + 1)
    for c in 0..<16 {
        if c % 4 == 3 {
            let value = Double(r) * 1.5 + Double(c)
            row.append(Cell(text: value == value.rounded() ? String(Int(value)) : String(value), type: .number))
        } else {
            row.append(Cell(text: "valor \(r)-\(c) José Peña", type: .text))
        }
    }
}

func complain(_ message: String) {
    var text = message + "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

func header() -> Row {
    Row(number: 1, cells: (0..<16).map { Cell(text: "columna_\($0)", type: .text) })
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    complain("usage: idbatch-bench csv-read IN | xlsx-write OUT ROWS | csv-write OUT ROWS")
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
        let count = Int(arguments[3])!
        let writer = try XLSXWriter(path: arguments[2], options: .init(sheetName: "Informe"))
        try writer.write(header())
        var row = Row(number: 0)
        for r in 1...count {
            reportRow(r, into: &row)
            try writer.write(row)
        }
        try writer.close()
    case "csv-write":
        let count = Int(arguments[3])!
        let writer = try CSVWriter(path: arguments[2])
        try writer.write(header())
        var row = Row(number: 0)
        for r in 1...count {
            reportRow(r, into: &row)
            try writer.write(row)
        }
        try writer.close()
    default:
        complain("unknown job \(arguments[1])")
        exit(64)
    }
} catch {
    complain("idbatch-bench: \(error)")
    exit(65)
}
