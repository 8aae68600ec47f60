import CheckInputs
import Testing

/// The catalogue against the Truora reference's create-check table and input list.
@Suite("Truora inputs and requirement table")
struct TruoraCatalogueTests {
    @Test("every input the table names is in the catalogue")
    func tableInputsExist() {
        for country in TruoraRequirements.countries {
            for kind in TruoraRequirements.CheckKind.allCases {
                for input in TruoraRequirements.requirement(country: country, kind: kind)?.inputs ?? [] {
                    #expect(TruoraInput.named(input) != nil, "\(country) \(kind.rawValue): \(input)")
                }
            }
        }
    }

    @Test("cells as the reference prints them", arguments: [
        ("CO", TruoraRequirements.CheckKind.personForeigner, [["foreign_id", "ptp"], ["date_of_birth"], ["issue_date"]]),
        ("BR", .personNational, [["national_id"], ["date_of_birth"], ["region"]]),
        ("PE", .personForeigner, [["foreign_id"], ["phone_number"]]),
        ("CL", .personForeigner, [["foreign_id"], ["date_of_birth"], ["first_name"], ["last_name"], ["native_country"]]),
        ("MX", .vehicleNational, [["license_plate"]]),
        ("ALL", .company, [["company_name"]]),
    ])
    func cells(country: String, kind: TruoraRequirements.CheckKind, required: [[String]]) throws {
        let cell = try #require(TruoraRequirements.requirement(country: country, kind: kind))
        #expect(cell.required == required)
    }

    @Test("N/A cells have no requirement", arguments: [
        ("CL", TruoraRequirements.CheckKind.company), ("BR", .personForeigner), ("MX", .vehicleForeigner),
        ("CR", .company), ("PE", .company), ("ALL", .vehicleNational),
    ])
    func notAvailable(country: String, kind: TruoraRequirements.CheckKind) {
        #expect(TruoraRequirements.requirement(country: country, kind: kind) == nil)
    }

    @Test("alternatives: foreign_id or PPT satisfies Colombia's foreigner column")
    func alternatives() throws {
        let cell = try #require(TruoraRequirements.requirement(country: "co", kind: .personForeigner))
        #expect(cell.missing(given: ["ptp", "date_of_birth", "issue_date"]).isEmpty)
        #expect(cell.missing(given: ["date_of_birth"]) == [["foreign_id", "ptp"], ["issue_date"]])
        #expect(TruoraRequirements.requirement(country: "CL", kind: .vehicleNational)?.notes["driver_license"]
            == "Santiago only")
    }

    @Test("enumerated inputs carry the reference's allowed values")
    func allowedValues() throws {
        let region = try #require(TruoraInput.named("region"))
        guard case .oneOf(let values) = region.format else {
            Issue.record("region is not enumerated")
            return
        }
        #expect(values.count == 28 && values.contains("SP") && values.last == "ALL")
        #expect(TruoraInput.named("native_country")?.format == .oneOf(["CO", "MX", "PE", "BR", "EC", "CL", "VE"]))
        #expect(TruoraInput.named("national_id")?.isIdentifier == true)
        #expect(TruoraInput.named("date_of_birth")?.format == .date)
        #expect(Set(TruoraInput.all.map(\.name)).count == TruoraInput.all.count, "no input twice")
    }
}
