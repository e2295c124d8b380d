import TrellisOpenAPI

/// `/members` and `/invitations`: who belongs to the current organization, and who is invited.
extension AccountPaths {
    static func memberPaths() -> [(String, Document)] {
        let userID = pathParameter("user_id", "The member's user id.", schema: ["type": "string", "format": "uuid"])
        let notFound = failure(.notFound, "The user is not a member of this organization.")
        let lastOwner = failure(.conflict, "The organization's last owner cannot leave or stop being an owner.")
        return [
            item(operation(
                .listMembers, summary: "List the members of the current organization.",
                success: ("200", json("MemberList", "Every member, with their role."))
            )),
            item(
                parameters: [userID],
                operation(
                    .updateMember, summary: "Change a member's role.",
                    description: "Only owners change an owner's role or make someone an owner.",
                    body: "MemberPatch", success: ("200", json("MemberResponse", "The member with their new role.")),
                    failures: [failure(.forbidden), notFound, lastOwner, failure(.validationFailed, "`role` is missing or unknown.")]
                ),
                operation(
                    .removeMember, summary: "Remove a member from the organization (or leave it).",
                    description: "Only owners remove owners.",
                    success: ("204", noContent("The user is no longer a member.")),
                    failures: [failure(.forbidden), notFound, lastOwner]
                )
            ),
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
        let unusable = failure(.notFound, "The invitation token is unknown, expired, revoked or already used.")
        return [
            item(
                operation(
                    .listInvitations, summary: "List the organization's pending invitations.",
                    success: ("200", json("InvitationList", "The invitations not yet accepted, declined, revoked or expired.")),
                    failures: [failure(.forbidden)]
                ),
                operation(
                    .createInvitation, summary: "Invite someone by email to join the organization.",
                    description: "Emails an invitation link carrying a single-use token.",
                    body: "InvitationCreate", success: ("201", json("InvitationResponse", "The pending invitation.")),
                    failures: [
                        failure(.forbidden),
                        failure(.conflict, "A pending invitation for this email exists, or the email already belongs to a member."),
                        failure(.validationFailed, "The email is malformed, or the role is unknown."),
                    ]
                )
            ),
            item(
                operation(
                    .getInvitationByToken, summary: "Preview an invitation by its token.",
                    description: "What the invitation page shows before the invitee accepts or declines.",
                    authenticated: false, parameters: [tokenAsID],
                    success: ("200", json("InvitationPreviewResponse", "The invitation.")), failures: [unusable]
                ),
                operation(
                    .revokeInvitation, summary: "Revoke a pending invitation.",
                    parameters: [["$ref": "#/components/parameters/ResourceID"]],
                    success: ("204", noContent("The invitation's token no longer works.")),
                    failures: [failure(.forbidden), failure(.notFound, "No pending invitation has this id.")]
                )
            ),
            item(
                parameters: [token],
                operation(
                    .acceptInvitation, summary: "Accept an invitation and sign in to its organization.",
                    description: """
                        No token is needed. When the invited email has no account yet, the body's `name` and `password` \
                        create it. When a bearer token is sent, its user must be the invited email.
                        """,
                    authenticated: false, body: "InvitationAcceptance", bodyRequired: false,
                    success: ("200", json("TokenPairResponse", "A token pair for the organization joined.")),
                    failures: [
                        failure(.unauthorized, "The invited email already has an account: send its access token."),
                        failure(.forbidden, "The bearer token's user is not the invited email."),
                        unusable,
                        failure(.validationFailed, "The invited email has no account and `name` or `password` is missing or invalid."),
                    ]
                )
            ),
            item(
                parameters: [token],
                operation(
                    .declineInvitation, summary: "Decline an invitation.", authenticated: false,
                    success: ("204", noContent("The invitation is declined; its token no longer works.")), failures: [unusable]
                )
            ),
        ]
    }
}
