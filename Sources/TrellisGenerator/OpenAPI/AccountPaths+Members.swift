/// `/members` and `/invitations`: who belongs to the current organization, and who is invited.
extension AccountPaths {
    static func memberPaths() -> [(String, Document)] {
        let userID = pathParameter("user_id", "The member's user id.", schema: ["type": "string", "format": "uuid"])
        let notFound = failure("NotFound", "The user is not a member of this organization.")
        let lastOwner = failure("Conflict", "The organization's last owner cannot leave or stop being an owner.")
        return [
            (base + "/members", ["get": operation(
                "listMembers", .members, summary: "List the members of the current organization.",
                success: ("200", json("MemberList", "Every member, with their role."))
            )]),
            (base + "/members/{user_id}", [
                "parameters": [userID],
                "patch": operation(
                    "updateMember", .members, summary: "Change a member's role.",
                    description: "Only owners change an owner's role or make someone an owner.",
                    body: "MemberPatch", success: ("200", json("MemberResponse", "The member with their new role.")),
                    failures: [failure("Forbidden"), notFound, lastOwner, failure("ValidationFailed", "`role` is missing or unknown.")]
                ),
                "delete": operation(
                    "removeMember", .members, summary: "Remove a member from the organization (or leave it).",
                    description: "Only owners remove owners.",
                    success: ("204", noContent("The user is no longer a member.")),
                    failures: [failure("Forbidden"), notFound, lastOwner]
                ),
            ]),
        ]
    }

    static func invitationPaths() -> [(String, Document)] {
        let token = pathParameter(
            "token", "The invitation token from the invitation email.",
            schema: ["type": "string", "minLength": 1, "maxLength": 256, "pattern": "^[A-Za-z0-9_-]+$"]
        )
        // `GET /invitations/{token}` and `DELETE /invitations/{id}` share one path template, so
        // they share one path item; each operation says what its `id` is.
        let tokenAsID = pathParameter(
            "id", "The invitation token from the invitation email (not the invitation's id).",
            schema: ["type": "string", "minLength": 1, "maxLength": 256, "pattern": "^[A-Za-z0-9_-]+$"]
        )
        let unusable = failure("NotFound", "The invitation token is unknown, expired, revoked or already used.")
        return [
            (base + "/invitations", [
                "get": operation(
                    "listInvitations", .invitations, summary: "List the organization's pending invitations.",
                    success: ("200", json("InvitationList", "The invitations not yet accepted, declined, revoked or expired.")),
                    failures: [failure("Forbidden")]
                ),
                "post": operation(
                    "createInvitation", .invitations, summary: "Invite someone by email to join the organization.",
                    description: "Emails an invitation link carrying a single-use token.",
                    body: "InvitationCreate", success: ("201", json("InvitationResponse", "The pending invitation.")),
                    failures: [
                        failure("Forbidden"),
                        failure("Conflict", "A pending invitation for this email exists, or the email already belongs to a member."),
                        failure("ValidationFailed", "The email is malformed, or the role is unknown."),
                    ]
                ),
            ]),
            (base + "/invitations/{id}", [
                "get": operation(
                    "getInvitationByToken", .invitations, summary: "Preview an invitation by its token.",
                    description: "What the invitation page shows before the invitee accepts or declines.",
                    authenticated: false, parameters: [tokenAsID],
                    success: ("200", json("InvitationPreviewResponse", "The invitation.")), failures: [unusable]
                ),
                "delete": operation(
                    "revokeInvitation", .invitations, summary: "Revoke a pending invitation.",
                    parameters: [["$ref": "#/components/parameters/ResourceID"]],
                    success: ("204", noContent("The invitation's token no longer works.")),
                    failures: [failure("Forbidden"), failure("NotFound", "No pending invitation has this id.")]
                ),
            ]),
            (base + "/invitations/{token}/accept", [
                "parameters": [token],
                "post": operation(
                    "acceptInvitation", .invitations, summary: "Accept an invitation and sign in to its organization.",
                    description: """
                        No token is needed. When the invited email has no account yet, the body's `name` and `password` \
                        create it. When a bearer token is sent, its user must be the invited email.
                        """,
                    authenticated: false, body: "InvitationAcceptance", bodyRequired: false,
                    success: ("200", json("TokenPairResponse", "A token pair for the organization joined.")),
                    failures: [
                        failure("Unauthorized", "The invited email already has an account: send its access token."),
                        failure("Forbidden", "The bearer token's user is not the invited email."),
                        unusable,
                        failure("ValidationFailed", "The invited email has no account and `name` or `password` is missing or invalid."),
                    ]
                ),
            ]),
            (base + "/invitations/{token}/decline", [
                "parameters": [token],
                "post": operation(
                    "declineInvitation", .invitations, summary: "Decline an invitation.", authenticated: false,
                    success: ("204", noContent("The invitation is declined; its token no longer works.")), failures: [unusable]
                ),
            ]),
        ]
    }
}
