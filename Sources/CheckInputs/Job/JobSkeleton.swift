/// A commented job file to start from (`idbatch template --job`), matching a template's columns.
public enum JobSkeleton {
    public static func text(for template: Template) -> String {
        var lines = [
            "# idbatch job file: how to read one kind of spreadsheet. Check it with:",
            "#   idbatch validate FILE --job THIS.yaml",
            "version: \(JobFile.currentVersion)",
            "provider: \(template.provider.rawValue)            # truora-checks | truora-batch | trulioo | truora-di | truora-whatsapp",
        ]
        if let country = template.country {
            lines.append("country: \(country)                     # for rows without a country column")
        } else {
            lines.append("# country: CO                   # for rows without a country column")
        }
        if let kind = template.kind {
            lines.append("type: \(kind.type)                   # person | vehicle | company | a custom type name")
        }
        lines += [
            "# sheet: 1                       # sheet name or 1-based number (default: the first visible)",
            "# header_row: 1                  # default: found among the first rows",
            "dates: auto                      # auto | day-first | month-first (for 03/04/1990)",
            "",
            "# Columns are mapped by their headers; map the ones idbatch does not recognise.",
            "# A column is a header text, a letter (C) or a 1-based number.",
            "mapping:",
        ]
        for column in template.columns.prefix(3) {
            lines.append("#  \(column.input): \"\(column.header)\"")
        }
        lines += [
            "#  last_name: [\"Primer apellido\", \"Segundo apellido\"]   # two columns joined",
            "#  date_of_birth: {day: D, month: E, year: F}            # a date over three columns",
            "#  national_id: {number: B, dv: C}                       # a Chilean RUT and its DV column",
            "#  document_type: \"Tipo de documento\"                  # CC, CE, PA, PPT... routes the number column",
            "#  document_number: \"Número de documento\"",
            "",
            "# ignore: [\"Observaciones\"]       # columns to leave out of the mapping (they stay in reports)",
            "",
            "# constants:                      # the same value for every row",
        ]
        if template.country == "BR" { lines.append("#  region: ALL") } else { lines.append("#  phone_number: \"+570000000\"") }
        if template.provider.isTruora {
            lines += [
                "",
                "# Truora requires each person's authorisation (user_authorized). Without a consent column,",
                "# attest it here; idbatch never assumes it.",
                "# consent:",
                "#   attested_by: \"Name, role\"",
                "#   reference: \"where the signed authorisations are kept\"",
                "",
                "# batch_size: 1000                # truora-batch: most rows in one batch upload",
            ]
        }
        switch template.provider {
        case .truoraDI:
            lines += [
                "",
                "# The published web flow each row's link opens, and where it ends (both required).",
                "digital_identity:",
                "  flow_id: IPF...                 # Truora's flow id",
                "  redirect_url: https://example.com/verified",
            ]
        case .truoraWhatsApp:
            lines += [
                "",
                "# The approved outbound message each row gets, and the flow it starts (both required).",
                "# Message variables come from columns named as the message writes them ({{.name}}),",
                "# or mapped here: mapping: {var.name: \"Nombre\"}.",
                "whatsapp:",
                "  outbound_id: OTB...",
                "  flow_id: IPF...",
                "",
                "# WhatsApp requires each person's agreement to be contacted. Without a consent column,",
                "# attest it here; idbatch never assumes it.",
                "# consent:",
                "#   attested_by: \"Name, role\"",
                "#   reference: \"where the opt-ins are kept\"",
            ]
        default: break
        }
        lines += ["", "report:", "  format: same                    # xlsx | csv | same (as the input)"]
        return lines.joined(separator: "\n") + "\n"
    }
}
