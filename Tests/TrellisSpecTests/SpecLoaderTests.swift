import Testing

@testable import TrellisSpec

/// Parses specs from strings and returns the diagnostics as compiler-style lines.
private func diagnose(_ files: [String: String]) -> [String] {
    SpecLoader.check(files.sorted { $0.key < $1.key }.map { SpecFile(path: $0.key, contents: $0.value) }).diagnostics.map(\.description)
}

private func diagnose(_ yaml: String) -> [String] {
    diagnose(["specs/things.yaml": yaml])
}

@Suite struct SpecLoaderTests {
    @Test func validSpecLoadsWithDefaults() throws {
        let specs = try SpecLoader.load([
            SpecFile(
                path: "specs/projects.yaml",
                contents: """
                    resource: Project
                    fields:
                      name: { type: string, required: true, max_length: 200 }
                      status: { type: enum, values: [active, archived], default: active }
                    """
            )
        ])
        let spec = try #require(specs.first)
        #expect(spec.name.value == "Project")
        #expect(spec.tenancy == .org)
        #expect(spec.softDelete == false)
        #expect(spec.timestamps == true)
        #expect(spec.pagination == PaginationSpec(defaultLimit: 20, maxLimit: 100, sort: []))
        #expect(spec.permissions.allowed(.create) == [.owner, .admin, .member])
        #expect(spec.fields.map(\.name.value) == ["name", "status"])
        #expect(spec.fields[1].defaultValue?.value == .string("active"))
        #expect(spec.fields[1].isNullable == false)
    }

    @Test func unknownKeysGetDidYouMean() {
        #expect(
            diagnose(
                """
                resource: Thing
                soft_delet: true
                fields:
                  name: { type: string, max_lenght: 10 }
                """
            ) == [
                "specs/things.yaml:2:1: error: unknown key 'soft_delet' in a resource spec (fix: did you mean 'soft_delete'?)",
                "specs/things.yaml:4:25: error: unknown key 'max_lenght' in field 'name' (fix: did you mean 'max_length'?)",
            ]
        )
    }

    @Test func unknownTypeAndRoleAndMissingType() {
        #expect(
            diagnose(
                """
                resource: Thing
                fields:
                  name: { type: strng }
                  size: { required: true }
                permissions:
                  create: [membr]
                """
            ) == [
                "specs/things.yaml:3:17: error: unknown type 'strng' for field 'name' (fix: did you mean 'string'?)",
                "specs/things.yaml:4:9: error: field 'size' has no 'type' (fix: add `type:` with one of string, text, int32, int64, decimal, bool, uuid, date, datetime, enum, json, ref)",
                "specs/things.yaml:6:12: error: unknown role 'membr' in permissions.create (fix: did you mean 'member'?)",
            ]
        )
    }

    @Test func ownRowsNeedAServerSetOwnerAndAreNotForCreate() {
        #expect(
            diagnose(
                """
                resource: Note
                fields:
                  body: { type: text }
                permissions:
                  create: [{ member: own }]
                  update: [admin, { member: own }]
                """
            ) == [
                "specs/things.yaml:5:12: error: a created row is always its creator's own, so create cannot be limited to own rows (fix: list the role without `own`)",
                "specs/things.yaml:5:12: error: `own` needs a field recording each row's owner, and Note has none (fix: add a field `author_id: { type: ref, to: User, set_from: principal.user }`)",
            ]
        )
        #expect(
            diagnose(
                """
                resource: Note
                owner: reviewer_id
                fields:
                  reviewer_id: { type: ref, to: User }
                permissions:
                  update: [{ member: mine }]
                """
            ) == [
                "specs/things.yaml:2:8: error: owner 'reviewer_id' must be set by the server to the creating user (fix: define it as `{ type: ref, to: User, set_from: principal.user }`: a field the client sets would let anyone claim a row)",
                "specs/things.yaml:6:22: error: expected 'own' after the role in permissions.update (fix: write `{ member: own }`, or the role alone)",
            ]
        )
        #expect(
            diagnose(
                """
                resource: Note
                fields:
                  author_id: { type: ref, to: User, set_from: principal.user }
                permissions:
                  read: [admin, { viewer: own }]
                """
            ) == [
                "specs/things.yaml:5:17: error: a viewer reads only its own rows, but lists every row (fix: write `{ viewer: own }` in list too)"
            ]
        )
        #expect(
            diagnose(
                """
                resource: Note
                fields:
                  author_id: { type: ref, to: User, set_from: principal.user }
                permissions:
                  list: [admin, { viewer: own }]
                  read: [admin, { viewer: own }]
                """
            ).isEmpty
        )
    }

    @Test func actionsAreCheckedLikeTheRestOfTheSpec() {
        #expect(
            diagnose(
                """
                resource: Note
                fields:
                  body: { type: text }
                actions:
                  restore: {}
                  Pin:
                    roles: []
                    input:
                      target_id: { type: ref, to: User }
                      label: { type: string, unique: true }
                    colour: red
                """
            ) == [
                "specs/things.yaml:5:3: error: 'restore' is the built-in action of soft delete (fix: pick another name, or use `soft_delete: true`)",
                "specs/things.yaml:6:3: error: action name 'Pin' must be snake_case, at most 40 characters (fix: use 'pin')",
                "specs/things.yaml:6:3: error: no role may perform action 'Pin' (fix: give it `roles: [admin, owner]`, or remove it)",
                "specs/things.yaml:9:7: error: input field 'target_id' of action 'Pin' is of type ref, which action input does not take yet (fix: use a string (or a uuid, for an id) and check it in the action)",
                "specs/things.yaml:10:7: error: input field 'label' of action 'Pin' cannot be 'unique': it is a request body, not a column (fix: remove 'unique')",
                "specs/things.yaml:11:5: error: unknown key 'colour' in action 'Pin' (fix: expected one of: roles, input, description)",
            ]
        )
    }

    @Test func fieldRulesNameRolesThatMakeSense() {
        #expect(
            diagnose(
                """
                resource: Note
                fields:
                  body: { type: text, read_roles: [admin] }
                  secret: { type: text, read_roles: [] }
                  author_id: { type: ref, to: User, set_from: principal.user, write_roles: [owner] }
                  title: { type: string, required: true, write_roles: [admins] }
                search: [body]
                """
            ) == [
                "specs/things.yaml:3:35: error: field 'body' is searched, so `?q=` would reveal it to roles read_roles leaves out (fix: remove it from `search`, or remove read_roles)",
                "specs/things.yaml:4:37: error: field 'secret' has no role in read_roles, so no one would ever see it (fix: name the roles that may, or remove the field)",
                "specs/things.yaml:5:76: error: field 'author_id' is set by the server, so no role writes it (fix: remove write_roles)",
                "specs/things.yaml:6:56: error: unknown role 'admins' in write_roles (fix: did you mean 'admin'?)",
            ]
        )
    }

    @Test func hiddenFieldsCannotBeReachedSideways() {
        #expect(
            diagnose(
                """
                resource: Note
                fields:
                  rank: { type: int32, read_roles: [owner] }
                  reviewer_id: { type: ref, to: User, read_roles: [owner, admin] }
                  score: { type: int32, read_roles: [owner], write_roles: [owner, admin] }
                pagination: { sort: [rank] }
                """
            ) == [
                "specs/things.yaml:3:36: error: field 'rank' is the default sort, so every list would order rows by a value some readers may not see (fix: put another key first in `pagination.sort`)",
                "specs/things.yaml:4:51: error: ref 'reviewer_id' cannot have read_roles: `include` and nested routes would show what it points to (fix: remove read_roles)",
                "specs/things.yaml:5:59: error: an admin may set field 'score' but not see it, and could learn it by writing guesses (fix: keep write_roles among read_roles)",
            ]
        )
    }

    @Test func everyErrorOfEveryFileIsReportedAtOnce() {
        let lines = diagnose([
            "specs/a.yaml": "resource: Item\nfields:\n  x: { type: int32, min: 5, max: 1 }\n",
            "specs/b.yaml": "resource: B\nfields:\n  a_id: { type: ref, to: Itme }\n",
        ])
        #expect(
            lines == [
                "specs/a.yaml:3:3: error: field 'x' has min 5 above max 1",
                "specs/b.yaml:3:26: error: field 'a_id' refers to unknown resource 'Itme' (fix: did you mean 'Item'?)",
            ]
        )
    }

    @Test func shadowingTypeNamesNeedSwiftName() {
        #expect(
            diagnose("resource: Task\nfields:\n  title: { type: string }\n") == [
                "specs/things.yaml:1:11: error: resource 'Task' would shadow Swift's 'Task' type in every module that imports it (fix: add `swift_name: TaskItem` (the API keeps the name 'Task'))"
            ]
        )
        #expect(diagnose("resource: Task\nswift_name: TaskItem\nfields:\n  title: { type: string }\n").isEmpty)
    }

    @Test func serverColumnsAndNamingAreChecked() {
        #expect(
            diagnose("resource: thing\nfields:\n  created_at: { type: datetime }\n  Title: { type: string }\n") == [
                "specs/things.yaml:1:11: error: resource name 'thing' must be PascalCase (fix: use 'Thing')",
                "specs/things.yaml:3:3: error: 'created_at' is a column the server manages (fix: remove the field; every resource has it already)",
                "specs/things.yaml:4:3: error: field name 'Title' must be snake_case (fix: use 'title')",
            ]
        )
    }

    @Test func sqlReservedWordsCannotNameColumnsOrTables() {
        #expect(
            diagnose("resource: Slot\ntable: order\nfields:\n  default: { type: string }\n  time: { type: datetime }\n") == [
                "specs/things.yaml:2:8: error: table 'order' is a reserved word in PostgreSQL (fix: set another `table:`, e.g. 'order_records')",
                "specs/things.yaml:4:3: error: field name 'default' is a reserved word in PostgreSQL, so it cannot name a column "
                    + "(fix: rename the field, e.g. 'default_value' or 'slot_default')",
            ]
        )
    }

    @Test func typeSpecificKeysAndDefaultsAreChecked() {
        #expect(
            diagnose(
                """
                resource: Thing
                fields:
                  count: { type: int32, max_length: 3 }
                  state: { type: enum, values: [open, closed], default: opne }
                  owner_id: { type: ref, to: User, required: true, on_delete: set_null }
                  flag: { type: bool, default: maybe }
                """
            ) == [
                "specs/things.yaml:3:25: error: 'max_length' does not apply to field 'count' of type int32 (fix: 'max_length' is for string and text fields; remove it or change the type)",
                "specs/things.yaml:4:57: error: default 'opne' is not one of the values of field 'state' (fix: did you mean 'open'?)",
                "specs/things.yaml:5:3: error: required field 'owner_id' cannot use on_delete: set_null (fix: use on_delete: cascade or restrict, or make it optional)",
                "specs/things.yaml:6:32: error: default 'maybe' is not a valid bool for field 'flag'",
            ]
        )
    }

    /// A nullable sort key is fine (its empty values come last); an unknown one is not.
    @Test func sortKeysMustBeColumns() {
        #expect(
            diagnose(
                """
                resource: Thing
                fields:
                  due_on: { type: date }
                pagination: { sort: [created_at, due_on, nme] }
                """
            ) == [
                "specs/things.yaml:4:42: error: sort key 'nme' is not a column of Thing (fix: expected one of: id, created_at, updated_at, due_on)"
            ]
        )
    }

    @Test func filtersAndSearchAreChecked() {
        #expect(
            diagnose(
                """
                resource: Thing
                fields:
                  name: { type: string, filter: [contains, gte] }
                  data: { type: json, filter: true }
                  done: { type: bool, required: true, filter: [is_null] }
                search: { fields: [name, done, nope], language: klingon }
                """
            ) == [
                "specs/things.yaml:3:44: error: 'gte' is not a filter for field 'name' (fix: use `filter: true` or some of: eq, in, contains, starts_with, is_null)",
                "specs/things.yaml:4:31: error: field 'data' of type json cannot be filtered (fix: remove 'filter')",
                "specs/things.yaml:5:48: error: 'is_null' is not a filter for field 'done' (fix: use `filter: true` or some of: eq)",
                "specs/things.yaml:6:49: error: unknown search language 'klingon' (fix: expected one of: simple, arabic, armenian, basque, catalan, danish, dutch, english, finnish, french, german, greek, hindi, hungarian, indonesian, irish, italian, lithuanian, nepali, norwegian, portuguese, romanian, russian, serbian, spanish, swedish, tamil, turkish, yiddish)",
            ]
        )
    }

    @Test func yamlSyntaxErrorsHaveLocations() {
        let lines = diagnose("resource: Thing\nfields:\n  name: { type: string\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("specs/things.yaml:4:1: error: invalid YAML") == true)
    }

    @Test func duplicateResourcesAndTables() {
        let lines = diagnose([
            "specs/a.yaml": "resource: Item\nfields:\n  x: { type: string }\n",
            "specs/b.yaml": "resource: Item\nfields:\n  y: { type: string }\n",
        ])
        #expect(lines.contains("specs/b.yaml:1:11: error: resource 'Item' is already defined at specs/a.yaml:1:11 (fix: rename one of them)"))
    }
}
