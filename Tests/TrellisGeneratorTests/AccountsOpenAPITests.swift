import Foundation
import Testing
import TrellisAccountsAPI
import TrellisSpec

@testable import TrellisGenerator

/// The built-in account endpoints (`TrellisAccountsAPI`) in the OpenAPI document, every group
/// enabled or any subset.
///
/// Set `TRELLIS_OPENAPI_DUMP=<path>` to also write the all-groups document there as JSON, for
/// `openapi-spec-validator <path>`.
@Suite struct AccountsOpenAPITests {
    typealias Object = [String: Any]

    /// Written out, not read from ``AccountRoute/all``: a route that goes missing or changes its
    /// id must show up here.
    static let operationIDs: [AccountGroup: [String]] = [
        .auth: [
            "authSignup", "authLogin", "authRefresh", "authLogout", "authLogoutAll", "authSwitchOrg", "authChangePassword",
            "authRequestPasswordReset", "authResetPassword", "authVerifyEmail", "authResendVerification", "authChangeEmail",
        ],
        .me: ["getMe"],
        .members: ["listMembers", "updateMember", "removeMember"],
        .invitations: [
            "listInvitations", "createInvitation", "getInvitationByToken", "revokeInvitation", "acceptInvitation", "declineInvitation",
        ],
        .apiKeys: ["listApiKeys", "createApiKey", "revokeApiKey"],
        .auditLogs: ["listAuditLogs"],
        .webhookEndpoints: [
            "listWebhookEndpoints", "createWebhookEndpoint", "getWebhookEndpoint", "updateWebhookEndpoint", "deleteWebhookEndpoint",
            "listWebhookDeliveries", "redeliverWebhook", "testWebhookEndpoint",
        ],
        .admin: ["listJobs", "retryJob", "discardJob", "listWebhookEvents", "retryWebhookEvent"],
    ]

    /// The operations that take no credentials.
    static let unauthenticated: Set<String> = [
        "authSignup", "authLogin", "authRefresh", "getInvitationByToken", "acceptInvitation", "declineInvitation",
        "authRequestPasswordReset", "authResetPassword", "authVerifyEmail",
    ]

    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    static func document(_ groups: Set<AccountGroup>, resources: [ResolvedResource] = []) throws -> Object {
        let options = GeneratorOptions(accountEndpoints: groups)
        let json = OpenAPIBuilder(resources: resources, options: options).build().json()
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? Object)
    }

    /// The resources of the kitchen-sink fixture's specs (not its project file).
    static func kitchenSink() throws -> [ResolvedResource] {
        let folder = GeneratorSnapshotTests.kitchenSink.appendingPathComponent("specs")
        let specs = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter(ProjectFiles.isSpec).sorted()
            .map { SpecFile(path: "specs/\($0)", contents: try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)) }
        return Resolver.resolve(try SpecLoader.load(specs))
    }

    /// (path, method, operation) of every operation, in document order.
    static func operations(_ document: Object) -> [(path: String, method: String, operation: Object)] {
        let paths = document["paths"] as? Object ?? [:]
        return paths.keys.sorted().flatMap { path in
            let item = paths[path] as? Object ?? [:]
            return methods.compactMap { method in (item[method] as? Object).map { (path, method, $0) } }
        }
    }

    static func component(_ document: Object, _ reference: String) -> Object? {
        let parts = reference.split(separator: "/").map(String.init)
        guard parts.count == 4, parts[0] == "#", parts[1] == "components" else { return nil }
        return ((document["components"] as? Object)?[parts[2]] as? Object)?[parts[3]] as? Object
    }

    /// Every `$ref` value anywhere under `value`.
    static func references(in value: Any) -> [String] {
        if let object = value as? Object {
            return ((object["$ref"] as? String).map { [$0] } ?? []) + object.values.flatMap(references)
        }
        if let array = value as? [Any] { return array.flatMap(references) }
        return []
    }

    @Test func allGroupsDescribeEveryOperationOnce() throws {
        let document = try Self.document(Set(AccountGroup.allCases))
        let ids = Self.operations(document).compactMap { $0.operation["operationId"] as? String }
        let expected = AccountGroup.allCases.flatMap { Self.operationIDs[$0] ?? [] }
        #expect(Set(ids).isSuperset(of: expected))
        #expect(ids.count == Set(ids).count, "operation ids must be unique")
        for (path, method, operation) in Self.operations(document) {
            let id = operation["operationId"] as? String ?? ""
            #expect(id.first?.isLowercase == true && id.allSatisfy { $0.isLetter || $0.isNumber }, "\(method) \(path): \(id) is not camelCase")
            #expect((operation["summary"] as? String)?.isEmpty == false, "\(id) has no summary")
            #expect((operation["tags"] as? [String])?.count == 1, "\(id) has no tag")
        }
        let accountPaths = Self.operations(document).filter { $0.path.hasPrefix("/api/v1/") }
        #expect(accountPaths.count == expected.count)
        let tags = (document["tags"] as? [Object] ?? []).compactMap { $0["name"] as? String }
        #expect(tags == ["Auth", "Account", "Members", "Invitations", "API keys", "Audit logs", "Webhooks", "Administration"])
    }

    /// The document is written from the routes the runtime mounts: each account operation sits at
    /// its route's method and path template, under its route's id, in its group's tag.
    @Test(arguments: 0..<(1 << AccountGroup.allCases.count))
    func operationsAreTheRoutesOfTheGroups(_ mask: Int) throws {
        let groups = Set(AccountGroup.allCases.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element))
        let document = try Self.document(groups)
        let described = Self.operations(document).filter { $0.path.hasPrefix(AccountRoute.base + "/") }.map { path, method, operation in
            "\(method.uppercased()) \(path) \(operation["operationId"] as? String ?? "") \((operation["tags"] as? [String]) ?? [])"
        }
        let routes = AccountRoute.routes(of: groups).map { "\($0) \($0.operationID) \([$0.group.tag])" }
        #expect(described.sorted() == routes.sorted())
        #expect(Set(AccountRoute.all.map(\.operationID)).count == AccountRoute.all.count)
        #expect(Set(AccountRoute.all.map(\.description)).count == AccountRoute.all.count, "one route per method and path")
    }

    @Test func unauthenticatedOperationsDeclareEmptySecurity() throws {
        let document = try Self.document(Set(AccountGroup.allCases))
        #expect((document["security"] as? [Object])?.first?["bearerAuth"] != nil)
        for (_, _, operation) in Self.operations(document) where (operation["tags"] as? [String]) != ["Operations"] {
            let id = operation["operationId"] as? String ?? ""
            let responses = operation["responses"] as? Object ?? [:]
            if Self.unauthenticated.contains(id) {
                #expect((operation["security"] as? [Any])?.isEmpty == true, "\(id) must declare `security: []`")
            } else {
                #expect(operation["security"] == nil, "\(id) must inherit the bearer requirement")
                #expect(responses["401"] != nil, "\(id) needs a bearer token, so it can answer 401")
            }
        }
    }

    @Test(arguments: 0..<(1 << AccountGroup.allCases.count))
    func everyReferenceResolvesAndEveryAccountSchemaIsUsed(_ mask: Int) throws {
        let groups = Set(AccountGroup.allCases.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element))
        let document = try Self.document(groups)
        let references = Set(Self.references(in: document))
        for reference in references {
            #expect(Self.component(document, reference) != nil, "\(groups): \(reference) does not resolve")
        }
        for (name, _) in AccountsOpenAPI.schemas(groups: groups) {
            #expect(references.contains("#/components/schemas/\(name)"), "\(groups): \(name) is never referenced")
        }
        let ids = Set(Self.operations(document).compactMap { $0.operation["operationId"] as? String })
        for group in AccountGroup.allCases {
            let present = Set(Self.operationIDs[group] ?? []).isSubset(of: ids)
            let absent = Set(Self.operationIDs[group] ?? []).isDisjoint(with: ids)
            #expect(groups.contains(group) ? present : absent, "\(group) is \(groups.contains(group) ? "missing" : "included")")
        }
    }

    @Test func requestBodiesAreStrictAndSecretsAreMarked() throws {
        let document = try Self.document(Set(AccountGroup.allCases))
        for (_, method, operation) in Self.operations(document) {
            let content = ((operation["requestBody"] as? Object)?["content"] as? Object)?["application/json"] as? Object
            guard let reference = (content?["schema"] as? Object)?["$ref"] as? String else { continue }
            let schema = try #require(Self.component(document, reference))
            #expect(schema["additionalProperties"] as? Bool == false, "\(reference) accepts unknown keys")
            // A PATCH body names only what changes.
            if method != "patch" { #expect((schema["required"] as? [String])?.isEmpty == false, "\(reference) requires nothing") }
        }
        let schemas = (document["components"] as? Object)?["schemas"] as? Object ?? [:]
        for (name, value) in schemas {
            for (key, property) in ((value as? Object)?["properties"] as? Object) ?? [:] {
                let property = property as? Object ?? [:]
                if key.hasSuffix("password") {
                    #expect(property["format"] as? String == "password", "\(name).\(key)")
                    #expect(property["writeOnly"] as? Bool == true, "\(name).\(key)")
                    #expect(property["maxLength"] as? Int == 128, "\(name).\(key)")
                    if key != "current_password" && !["LoginRequest", "EmailChangeRequest"].contains(name) {
                        #expect(property["minLength"] as? Int == 12, "\(name).\(key)")
                    }
                }
                if ["access_token", "key"].contains(key) || (key == "refresh_token" && name == "TokenPair") {
                    #expect(property["readOnly"] as? Bool == true, "\(name).\(key)")
                }
            }
        }
        let pair = try #require((schemas["TokenPair"] as? Object)?["properties"] as? Object)
        #expect((pair["token_type"] as? Object)?["const"] as? String == "Bearer")
        #expect((pair["expires_in"] as? Object)?["type"] as? String == "integer")
    }

    @Test func loginDocumentsThrottlingAndAcceptIsOptionalBody() throws {
        let document = try Self.document(Set(AccountGroup.allCases))
        let login = try #require(Self.operations(document).first { $0.operation["operationId"] as? String == "authLogin" })
        let tooMany = try #require((login.operation["responses"] as? Object)?["429"] as? Object)
        let reference = try #require(tooMany["$ref"] as? String)
        let rateLimited = try #require(Self.component(document, reference))
        #expect((rateLimited["headers"] as? Object)?["Retry-After"] != nil)
        let accept = try #require(Self.operations(document).first { $0.operation["operationId"] as? String == "acceptInvitation" })
        #expect((accept.operation["requestBody"] as? Object)?["required"] as? Bool == false)
    }

    @Test func bodiesDocument415AndAPIOperationsDocument422() throws {
        let document = try Self.document(Set(AccountGroup.allCases), resources: Self.kitchenSink())
        let operations = Self.operations(document).filter { $0.path.hasPrefix("/api/v1/") }
        #expect(operations.count > 20)
        for (path, method, operation) in operations {
            let responses = operation["responses"] as? Object ?? [:]
            let hasBody = operation["requestBody"] != nil
            #expect((responses["415"] != nil) == hasBody, "\(method) \(path): 415 goes with a request body")
            #expect(responses["422"] != nil, "\(method) \(path): an unknown query parameter answers 422")
        }
        let error = try #require(Self.component(document, "#/components/schemas/Error"))
        let envelope = try #require((error["properties"] as? Object)?["error"] as? Object)
        let codes = try #require(((envelope["properties"] as? Object)?["code"] as? Object)?["enum"] as? [String])
        #expect(codes.contains("method_not_allowed") && codes.contains("unsupported_media_type"))
        let notAllowed = try #require(Self.component(document, "#/components/responses/MethodNotAllowed"))
        #expect((notAllowed["headers"] as? Object)?["Allow"] != nil)
    }

    @Test func defaultsDescribeEveryAccountEndpoint() throws {
        #expect(GeneratorOptions().accountEndpoints == Set(AccountGroup.allCases))
        let paths = try #require(try Self.document(GeneratorOptions().accountEndpoints)["paths"] as? Object)
        for path in ["/api/v1/auth/login", "/api/v1/me", "/api/v1/api-keys", "/api/v1/members", "/api/v1/invitations"] {
            #expect(paths[path] != nil, "\(path)")
        }
    }

    /// A docs page or a generated client shows a request and an answer for every operation.
    @Test func everyJSONBodyAndSuccessAnswerHasAnExample() throws {
        let document = try Self.document(Set(AccountGroup.allCases), resources: try Self.kitchenSink())
        for (path, method, operation) in Self.operations(document) {
            let body = ((operation["requestBody"] as? Object)?["content"] as? Object)?["application/json"] as? Object
            if let body { #expect(body["example"] != nil, "\(method.uppercased()) \(path): request body without an example") }
            for (status, response) in operation["responses"] as? Object ?? [:] where status.hasPrefix("2") {
                guard let media = ((response as? Object)?["content"] as? Object)?["application/json"] as? Object else { continue }
                #expect(media["example"] != nil, "\(method.uppercased()) \(path) \(status): answer without an example")
            }
        }
    }

    @Test func operationIDsStayUniqueNextToGeneratedResources() throws {
        let resources = try Self.kitchenSink()
        let document = try Self.document(Set(AccountGroup.allCases), resources: resources)
        let ids = Self.operations(document).compactMap { $0.operation["operationId"] as? String }
        #expect(ids.count == Set(ids).count)
        if let dump = ProcessInfo.processInfo.environment["TRELLIS_OPENAPI_DUMP"], !dump.isEmpty {
            let options = GeneratorOptions(accountEndpoints: Set(AccountGroup.allCases))
            let json = OpenAPIBuilder(resources: resources, options: options).build().json()
            try json.write(toFile: dump, atomically: true, encoding: .utf8)
        }
    }
}
