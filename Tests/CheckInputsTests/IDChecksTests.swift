import CheckInputs
import Spreadsheet
import Testing

/// Published vectors (python-stdnum's test data, Receita Federal's CNPJ example, field notes §3),
/// each cross-checked with python-stdnum when these tests were written.
@Suite("ID check digits")
struct IDChecksTests {
    @Test("valid IDs pass", arguments: [
        ("76086428-5", IDKind.chileRUT), ("12.531.909-2", .chileRUT), ("11.111.111-1", .chileRUT),
        ("6.000.000-K", .chileRUT), ("CL 76086428-5", .chileRUT), ("6000000k", .chileRUT),
        ("390.533.447-05", .brazilCPF), ("529.982.247-25", .brazilCPF),
        ("16.727.230/0001-97", .brazilCNPJ), ("11.222.333/0001-81", .brazilCNPJ), ("12ABC34501DE35", .brazilCNPJ),
        ("12.ABC.345/01DE-35", .brazilCNPJ),
        ("BOXW310820HNERXN09", .mexicoCURP), ("HEGG560427MVZRRL04", .mexicoCURP),
        ("GODE561231GR8", .mexicoRFC), ("MAB9307148T4", .mexicoRFC),
        ("213.123.432-1", .colombiaNIT), ("8600123361", .colombiaNIT), ("900.123.456-8", .colombiaNIT),
        ("1.020.304.050", .colombiaCedula), ("79865432", .colombiaCedula), ("123456", .colombiaCedula),
        ("10117410", .peruDNI), ("10117410-2", .peruDNI), ("10117410G", .peruDNI), ("00123456", .peruDNI),
    ])
    func valid(id: String, kind: IDKind) {
        let result = IDChecks.check(id, as: kind)
        #expect(result.isValid, "\(kind) \(result.issues)")
        #expect(result.issues.isEmpty)
    }

    @Test("invalid IDs fail with a stable code", arguments: [
        ("12531909-3", IDKind.chileRUT, IDIssue.Code.checkDigit), ("6000001-1", .chileRUT, .checkDigit),
        ("1234-5", .chileRUT, .length), ("1234567X-5", .chileRUT, .characters),
        ("231.002.999-00", .brazilCPF, .checkDigit), ("111.111.111-11", .brazilCPF, .repeatedDigits),
        ("000.000.000-00", .brazilCPF, .repeatedDigits), ("390.533.447-0", .brazilCPF, .length),
        ("390.533.44A-05", .brazilCPF, .characters),
        ("11.222.333/0001-80", .brazilCNPJ, .checkDigit), ("00.000.000/0000-00", .brazilCNPJ, .repeatedDigits),
        ("12ABC34501DE3A", .brazilCNPJ, .characters), ("12ABC34501DE36", .brazilCNPJ, .checkDigit),
        ("BOXW310820HNERXN08", .mexicoCURP, .checkDigit), ("BOXW311320HNERXN09", .mexicoCURP, .date),
        ("BOXW310820HZZRXN09", .mexicoCURP, .structure), ("BOXW310820", .mexicoCURP, .length),
        ("GODE561331GR8", .mexicoRFC, .date), ("GODE561231GR", .mexicoRFC, .structure),
        ("213.123.432-2", .colombiaNIT, .checkDigit), ("900.123.456-7", .colombiaNIT, .checkDigit),
        ("1234567", .colombiaNIT, .length),
        ("12a45678", .colombiaCedula, .characters), ("12345", .colombiaCedula, .length),
        ("10117410-3", .peruDNI, .checkDigit), ("1011741", .peruDNI, .length),
        ("", .peruDNI, .empty), (" - . ", .colombiaCedula, .empty),
    ])
    func invalid(id: String, kind: IDKind, code: IDIssue.Code) {
        let result = IDChecks.check(id, as: kind)
        #expect(!result.isValid)
        #expect(result.issues.map(\.code) == [code])
    }

    @Test("a failed RFC check digit is a warning, not an error")
    func rfcWarning() {
        let result = IDChecks.check("GODE561231GR9", as: .mexicoRFC)
        #expect(result.isValid)
        #expect(result.issues.map(\.code) == [.checkDigit])
        #expect(result.issues.first?.severity == .warning)
    }

    @Test("a numeric cell that lost leading zeros is flagged, never padded", arguments: [
        ("6789012345", IDKind.brazilCPF), ("123456", .peruDNI), ("1672723000019", .brazilCNPJ),
    ])
    func leadingZeros(id: String, kind: IDKind) {
        let asNumber = IDChecks.check(id, as: kind, cellType: .number)
        #expect(asNumber.issues.map(\.code) == [.leadingZerosLost])
        #expect(asNumber.normalised == id, "the ID is not padded")
        let asText = IDChecks.check(id, as: kind, cellType: .text)
        #expect(asText.issues.map(\.code) == [.length], "typed as text, a short ID is just too short")
    }

    @Test("a number past 15 digits is refused: Excel already changed it")
    func precision() {
        let result = IDChecks.check("1234567890123460000", as: .colombiaCedula, cellType: .number, precisionLost: true)
        #expect(result.issues.map(\.code) == [.precisionLost])
    }

    @Test("normalisation drops display punctuation and uppercases")
    func normalise() {
        #expect(IDChecks.normalise(" 12.531.909-2 ", kind: .chileRUT) == "125319092")
        #expect(IDChecks.normalise("cl12531909-k", kind: .chileRUT) == "12531909K")
        #expect(IDChecks.normalise("16.727.230/0001-97", kind: .brazilCNPJ) == "16727230000197")
    }

    @Test("messages never repeat the ID")
    func messagesArePrivate() {
        for (id, kind) in [("231.002.999-00", IDKind.brazilCPF), ("12531909-3", .chileRUT), ("6789012345", .brazilCPF)] {
            for cellType in [CellType.text, .number] {
                for issue in IDChecks.check(id, as: kind, cellType: cellType).issues {
                    let digits = IDChecks.normalise(id, kind: kind)
                    #expect(!issue.message.text(.en).contains(digits))
                    #expect(!issue.message.text(.en).contains(id))
                }
            }
        }
    }
}

/// Found by the validators fuzzer: letters with combining marks sort inside "A"..."Z".
@Suite("IDs with combining marks")
struct IDCombiningMarkTests {
    @Test("a letter with a combining mark is not an ID letter, and never crashes a check", arguments: IDKind.allCases)
    func combiningMarks(kind: IDKind) {
        for id in ["BOXdW\u{34D}0838H0818", "11.222.333/0001-8\u{301}", "GODE561231HDFRRN0\u{301}9", "12A45B78C01W\u{34D}5",
                   "GODE561231G\u{300}R8"] {
            let result = IDChecks.check(id, as: kind)
            #expect(!result.isValid || result.normalised.unicodeScalars.allSatisfy(\.isASCII), "\(kind) \(id.count)")
        }
    }
}
