import TrellisOpenAPI

/// `/api-keys`: the organization's API keys. A key is sent like an access token
/// (`Authorization: Bearer <key>`) and can do only what its scopes allow.
extension AccountPaths {
    static func apiKeyPaths() -> [(String, Document)] {
        [
            item(
                operation(
                    .listAPIKeys, summary: "List API keys: all of the organization's for admins and owners, the caller's own for others.",
                    description: "Secrets are never listed: only each key's prefix.",
                    success: ("200", json("ApiKeyList", "The keys, newest first, revoked ones included.")), failures: [failure(.forbidden)]
                ),
                operation(
                    .createAPIKey, summary: "Create an API key.",
                    description: "The response carries the secret `key` this once: store it now; it cannot be shown again. "
                        + "A user creates at most 10 keys a minute.",
                    body: "ApiKeyCreate", success: ("201", json("ApiKeyCreatedResponse", "The new key, with its secret.")),
                    failures: [
                        failure(.forbidden),
                        failure(.validationFailed, "The name is missing or too long, a scope is malformed, or `expires_at` is not in the future."),
                        failure(.rateLimited, "Too many keys created; retry after `Retry-After` seconds."),
                    ]
                )
            ),
            item(
                parameters: [["$ref": "#/components/parameters/ResourceID"]],
                operation(
                    .revokeAPIKey, summary: "Revoke an API key.",
                    success: ("204", noContent("The key no longer authenticates.")),
                    failures: [failure(.forbidden), failure(.notFound, "No API key of this organization has this id.")]
                )
            ),
        ]
    }
}
