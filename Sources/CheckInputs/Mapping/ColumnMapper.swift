import Spreadsheet

/// Maps header cells onto a provider's inputs: explicit bindings first, then aliases, then
/// normalised aliases, then composites are checked for completeness.
public struct ColumnMapper: Sendable {
    /// A mapping problem that stops the file (an explicit binding naming a column or input that does not exist).
    public struct Problem: Error, Sendable, CustomStringConvertible, Equatable {
        public var message: String
        public var description: String { message }
    }

    public var provider: Provider
    public var bindings: [ColumnBinding]
    /// Whether a per-row document type is supplied without a column (a job-file constant).
    public var documentTypeConstant: Bool

    public init(provider: Provider, bindings: [ColumnBinding] = [], documentTypeConstant: Bool = false) {
        self.provider = provider
        self.bindings = bindings
        self.documentTypeConstant = documentTypeConstant
    }

    /// Words that only say whose document it is (`Cédula del colaborador`); dropped from the end
    /// of a header before comparing.
    static let subjectWords: Set<String> = [
        "colaborador", "colaboradora", "cliente", "empleado", "empleada", "persona", "candidato", "candidata",
        "titular", "usuario", "usuaria", "trabajador", "trabajadora", "funcionario", "funcionaria", "postulante",
        "solicitante", "aspirante", "afiliado", "afiliada", "asociado", "asociada", "contratista", "conductor",
        "proveedor", "pessoa", "colaboradores", "empleados", "clientes", "usuario final", "contacto", "contato",
    ]

    /// Abbreviations people write in headers and system exports, spelt out (`AP_MATERNO`, `NUM_DOC`).
    static let abbreviations: [String: String] = [
        "ap": "apellido", "apel": "apellido", "apell": "apellido", "apd": "apellido", "nom": "nombre", "nomb": "nombre",
        "doc": "documento", "docto": "documento", "dcto": "documento", "ident": "identificacion",
        "identif": "identificacion", "tel": "telefono", "telf": "telefono", "tlf": "telefono", "fono": "telefono",
        "cel": "celular", "mov": "movil", "nac": "nacimiento", "nacim": "nacimiento", "fec": "fecha", "fch": "fecha",
        "dt": "data", "dir": "direccion", "pat": "paterno", "mat": "materno", "exp": "expedicion", "emp": "empresa",
        "tp": "tipo", "cod": "codigo", "ciud": "ciudad",
    ]

    /// Ordinals before or after a field (`1º Nombre`, `2do Apellido`, `Teléfono 2`): 1 or 2 and more.
    static func ordinal(_ word: String) -> Int? {
        switch word {
        case "1", "1er", "1ro", "1o", "1a", "1ra", "primer", "primero", "primera", "primeiro": return 1
        case "2", "2do", "2o", "2a", "2da", "segundo", "segunda": return 2
        default:
            guard let first = word.first, first.isNumber, let n = Int(word.prefix { $0.isNumber }), n > 0 else { return nil }
            return word.dropFirst(String(n).count).count <= 2 ? n : nil
        }
    }

    /// Words that say an ID or a name is a company's (`RUT empresa contratante`, `Razón social del proveedor`).
    static let companyWords: Set<String> = ["empresa", "compania", "contratante", "sociedad", "comercio", "negocio",
                                            "companhia", "firma", "entidad", "organizacion"]

    /// Words that only qualify a document (`Tipo de documento de identidad`).
    static let qualifierWords: Set<String> = ["identidad", "identificacion", "personal", "oficial", "identidade"]

    /// Words naming someone or something else; a header holding one is never matched loosely.
    static let otherSubjectWords: Set<String> = [
        "madre", "mae", "padre", "pai", "conyuge", "esposo", "esposa", "emergencia",
        "acudiente", "responsavel", "responsable", "familiar", "beneficiario", "hijo", "hija", "filho", "filha",
        "tutor", "apoderado", "representante", "referido", "referencia", "propietario", "codeudor", "fiador",
        "postal", "cep", "zip", "empresa", "jefe", "supervisor",
    ]

    /// Function words and "number" abbreviations, which people add or leave out freely.
    static let fillerWords: Set<String> = [
        "numero", "num", "nro", "no", "n", "nr", "nu", "de", "del", "da", "do", "dos", "das", "la", "el", "los",
        "las", "of", "the", "y", "e", "and",
    ]

    /// The header with filler words dropped (`No. de documento` → `documento`).
    static func key(_ header: String) -> String {
        let words = HeaderText.normalise(header).split(separator: " ").map(String.init)
        let kept = words.filter { !fillerWords.contains($0) }
        return (kept.isEmpty ? words : kept).joined(separator: " ")
    }

    private static let aliasKeys: [String: String] = {
        var result: [String: String] = [:]
        for (target, aliases) in HeaderAliases.table {
            for alias in aliases + [target] {
                let k = key(alias)
                if result[k] == nil { result[k] = target }
            }
        }
        return result
    }()

    /// The mapping for `header` (the header row's cells as text).
    public func map(header: [String]) throws(Problem) -> ColumnMapping {
        var assigned: [Int: (target: String, how: ColumnMapping.How)] = [:]
        var taken: [String: Int] = [:]
        var reasons: [Int: String] = [:]

        for binding in bindings {
            guard let column = binding.column.resolve(in: header), column < max(header.count, 16_384) else {
                throw Problem(message: "the mapping names column '\(binding.column)', which is not in the header "
                              + "(name a header cell, a column letter such as C, or a 1-based number)")
            }
            if binding.target != ColumnBinding.ignore {
                guard HeaderAliases.isTarget(binding.target, provider: provider) else {
                    throw Problem(message: "the mapping names '\(binding.target)', which is not an input of "
                                  + "\(provider.rawValue)\(Self.suggestion(for: binding.target, provider: provider))")
                }
                if let other = taken[binding.target], other != column {
                    throw Problem(message: "the mapping sends two columns to \(binding.target)")
                }
                taken[binding.target] = column
            }
            assigned[column] = (binding.target, .explicit)
        }

        for (index, text) in header.enumerated() where assigned[index] == nil {
            let trimmed = text.trimmed
            if trimmed.isEmpty || trimmed.lowercased().hasPrefix("idbatch_") { continue }
            // A WhatsApp message's variable, written as the message writes it ({{.name}}) or as var.name.
            if provider == .truoraWhatsApp, let variable = IdentityInput.variable(inHeader: trimmed),
                taken[variable] == nil
            {
                taken[variable] = index
                assigned[index] = (variable, .alias)
                continue
            }
            let concept: String, how: ColumnMapping.How
            switch Self.explain(trimmed) {
            case .mapped(let found, let foundHow): (concept, how) = (found, foundHow)
            case .hint(let hint):
                reasons[index] = hint
                continue
            case .none: continue
            }
            guard let target = HeaderAliases.target(for: concept, provider: provider) else {
                reasons[index] = "\(provider.rawValue) has no input for it"
                continue
            }
            if let other = taken[target] {
                reasons[index] = "\(target) is already mapped from column \(ColumnName.letters(other))"
                continue
            }
            taken[target] = index
            assigned[index] = (target, how)
        }

        // Composites that are incomplete fall back or are left out with a reason.
        func drop(_ target: String, _ reason: String) {
            guard let column = taken.removeValue(forKey: target) else { return }
            if assigned[column]?.how == .explicit { return }
            assigned[column] = nil
            reasons[column] = reason
        }
        let dob = provider.isTruora ? "date_of_birth" : "dob"
        let dobParts = ["day", "month", "year"].map { "\(dob).\($0)" }
        if dobParts.contains(where: { taken[$0] != nil }) && !dobParts.allSatisfy({ taken[$0] != nil }) {
            for part in dobParts { drop(part, "a date needs day, month and year columns") }
        }
        if taken[dob] != nil {
            for part in dobParts { drop(part, "\(dob) is already mapped") }
        }
        if taken["last_name"] == nil, let first = taken["last_name.1"], taken["last_name.2"] == nil,
            assigned[first]?.how != .explicit
        {
            taken["last_name"] = taken.removeValue(forKey: "last_name.1")
            assigned[first] = ("last_name", assigned[first]!.how)
        }
        if taken["national_id.dv"] != nil && taken["national_id"] == nil && taken["document_number"] == nil {
            drop("national_id.dv", "a check-digit column with no ID column beside it")
        }
        if provider.isTruora && taken["document_type"] == nil && !documentTypeConstant,
            let numberColumn = taken["document_number"], taken["national_id"] == nil
        {
            // A number with no type column is the national ID.
            taken["national_id"] = taken.removeValue(forKey: "document_number")
            assigned[numberColumn] = ("national_id", assigned[numberColumn]!.how)
        }

        var matches: [ColumnMapping.Match] = []
        var unmapped: [ColumnMapping.Unmapped] = []
        for (index, text) in header.enumerated() {
            if let (target, how) = assigned[index], target != ColumnBinding.ignore {
                matches.append(.init(column: text, index: index + 1, input: target, how: how))
            } else if !text.lowercased().hasPrefix("idbatch_") {
                unmapped.append(.init(column: text, index: index + 1,
                                      reason: assigned[index] != nil ? "ignored by the mapping" : reasons[index]))
            }
        }
        // Explicit bindings may name columns past the header's last cell.
        for (index, value) in assigned where index >= header.count && value.target != ColumnBinding.ignore {
            matches.append(.init(column: ColumnName.letters(index), index: index + 1, input: value.target, how: .explicit))
        }
        return ColumnMapping(matches: matches.sorted { $0.index < $1.index }, unmapped: unmapped)
    }

    /// What a header maps to: a concept and how it matched, a hint why it is left unmapped, or nothing.
    enum Explanation: Equatable {
        case mapped(String, ColumnMapping.How)
        case hint(String)
        case none
    }

    /// The concept a header names and how it matched, or nil.
    static func match(_ header: String) -> (String, ColumnMapping.How)? {
        if case .mapped(let concept, let how) = explain(header) { return (concept, how) }
        return nil
    }

    /// Aliases first, then the header's words as written, then rules on the words (abbreviations,
    /// ordinals, qualifiers, a company's ID), then one letter off a known header. A header that
    /// could mean two inputs, or names someone else's field, stays unmapped with a hint.
    static func explain(_ header: String) -> Explanation {
        if let concept = HeaderAliases.byExactAlias[header.lowercased()] { return .mapped(concept, .alias) }
        let words = key(header).split(separator: " ").map(String.init)
        guard !words.isEmpty else { return .none }
        if let concept = byWords(words) { return .mapped(concept, .normalised) }

        // Rules: spell out abbreviations, drop fillers again (`NUM_DOC` → `documento`).
        var expanded = words.map { abbreviations[$0] ?? $0 }.filter { !fillerWords.contains($0) }
        if expanded.isEmpty { expanded = words }
        // An ordinal: the first of a field is the field; a second one is not the one to send.
        if let index = expanded.firstIndex(where: { ordinal($0) != nil }), expanded.count > 1 {
            let n = ordinal(expanded[index])!
            var rest = expanded
            rest.remove(at: index)
            let spelled = [n == 1 ? "primer" : "segundo"] + rest
            if let concept = byWords(spelled) { return .mapped(concept, .rules) }
            guard let concept = byWords(rest) else { return .none }
            if n == 1 { return .mapped(concept, .rules) }
            return .hint("a second \(concept) column (number \(n)); map it with --map if it is the one to send")
        }
        // A company's ID or name (`RUT empresa contratante`, `Nombre de la empresa`).
        if expanded.contains(where: companyWords.contains) {
            let rest = expanded.filter { !companyWords.contains($0) }
            guard let concept = rest.isEmpty ? nil : byWords(rest) else { return .none }
            switch concept {
            case "national_id", "document_number", "tax_id": return .mapped("tax_id", .rules)
            case "name", "company_name", "first_name": return .mapped("company_name", .rules)
            default: return .hint("it names the company's \(concept), not the person's")
            }
        }
        if let concept = byWords(expanded) { return .mapped(concept, expanded == words ? .normalised : .rules) }
        // A qualifier after the document (`TIPO_DOC_IDENT`, `Número de documento de identidad`).
        var unqualified = expanded
        while unqualified.count > 1, let last = unqualified.last, qualifierWords.contains(last) { unqualified.removeLast() }
        if unqualified.count < expanded.count, let concept = byWords(unqualified) { return .mapped(concept, .rules) }

        // One letter off a known header: mapped when every such header means the same input.
        let joined = expanded.joined(separator: " ")
        guard joined.count >= 6, !words.contains(where: otherSubjectWords.contains) else { return .none }
        let near = Set(aliasKeys.compactMap { alias, concept in
            abs(alias.count - joined.count) <= 1 && alias.count >= 6 && isOneEditAway(alias, joined) ? concept : nil
        })
        if near.count == 1 { return .mapped(near.first!, .corrected) }
        if near.count > 1 {
            return .hint("one letter off headers for \(near.sorted().joined(separator: " and ")); map it with --map")
        }
        return .none
    }

    /// The concept of a header's words, dropping trailing words that only say whose field it is
    /// (`Cédula del colaborador`), unless the header names another person or thing
    /// (`Teléfono de la madre`, `Código postal`).
    private static func byWords(_ words: [String]) -> String? {
        if let concept = aliasKeys[words.joined(separator: " ")] { return concept }
        guard !words.contains(where: otherSubjectWords.contains) else { return nil }
        var trimmed = words
        while trimmed.count > 1, let last = trimmed.last, subjectWords.contains(last) { trimmed.removeLast() }
        guard trimmed.count < words.count else { return nil }
        return aliasKeys[trimmed.joined(separator: " ")]
    }

    /// One substitution, insertion, deletion or swap of neighbours apart (Damerau), and not equal.
    static func isOneEditAway(_ a: String, _ b: String) -> Bool {
        let a = Array(a), b = Array(b)
        guard a != b, abs(a.count - b.count) <= 1 else { return false }
        var i = 0
        while i < min(a.count, b.count), a[i] == b[i] { i += 1 }
        if a.count == b.count {
            if a[(i + 1)...] == b[(i + 1)...] { return true }
            return i + 1 < a.count && a[i] == b[i + 1] && a[i + 1] == b[i] && a[(i + 2)...] == b[(i + 2)...]
        }
        return a.count > b.count ? a[(i + 1)...] == b[i...] : a[i...] == b[(i + 1)...]
    }

    /// ", did you mean X?" when a target is close to a real one.
    static func suggestion(for name: String, provider: Provider) -> String {
        let parts = HeaderAliases.parts.keys.sorted().filter { HeaderAliases.isTarget($0, provider: provider) }
        let candidates = (provider.inputNames + parts).filter { $0 != name }
        let best = candidates.map { ($0, editDistance($0, name)) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= max(2, name.count / 3) else { return "" }
        return "; did you mean \(best.0)?"
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
