/** `backtrack approve|reject` (like kargo approve) and `backtrack requests`: what waits on the caller's review. */
import type { Command } from 'commander';
import type { Cli } from './context';
import type { OncallRequestFragment, OncallWaitingRequestsQuery, ReviewDecision } from './gql/graphql';
import { ReviewDocument, WaitingRequestsDocument } from './operations';
import { printRequest, requestScope, requestTarget } from './rollback-request-output';
import { remoteCommand, report, short, type OutputOptions } from './remote-output';
import { connect } from './server-connection';

const REVIEWERS = new Set(['APPROVER', 'ADMIN']);

/** The pending requests the viewer may review: in projects where they review, not their own where that is blocked, not reviewed yet. */
function waitingOn(viewer: OncallWaitingRequestsQuery['viewer'], project?: string): OncallRequestFragment[] {
  return viewer.projectRoles
    .filter((r) => REVIEWERS.has(r.role) && (!project || r.project.slug === project))
    .flatMap((r) => r.project.tenantEnvironments)
    .flatMap((te) =>
      te.rollbackRequests.filter(
        (request) =>
          !(te.approvalPolicy.blockSelfApproval && request.requestedBy.id === viewer.id) &&
          !request.reviews.some((review) => review.reviewer.id === viewer.id),
      ),
    )
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

function reviewCommand(program: Command, cli: Cli, name: string, decision: ReviewDecision, description: string): void {
  remoteCommand(program, name, description)
    .argument('<request-id>', 'the rollback request (rbk-…), as backtrack requests lists it')
    .option('--comment <text>', 'said with the review')
    .action(async (id: string, options: OutputOptions & { comment?: string }) => {
      const { reviewRollbackRequest: request } = await connect().request(ReviewDocument, { input: { id, decision, comment: options.comment } });
      report(cli, options, request, (r, style) => printRequest(cli, r, style));
    });
}

export function registerReviewCommands(program: Command, cli: Cli): void {
  reviewCommand(program, cli, 'approve', 'APPROVE', 'approve a pending rollback request; the rollback runs once the quorum is met');
  reviewCommand(program, cli, 'reject', 'REJECT', 'reject a pending rollback request');

  remoteCommand(program, 'requests', 'the pending rollback requests waiting on your review, oldest first')
    .option('--project <slug>', 'only this project')
    .action(async (options: OutputOptions & { project?: string }) => {
      const { viewer } = await connect().request(WaitingRequestsDocument);
      const waiting = waitingOn(viewer, options.project);
      report(cli, options, waiting, () => {
        if (waiting.length === 0) return cli.line('nothing waits on you');
        cli.table([
          ['ID', 'TARGET', 'TO', 'SCOPE', 'APPROVALS', 'REQUESTED BY', 'CREATED', 'JUSTIFICATION'],
          ...waiting.map((r) => [r.id, requestTarget(r), short(r.targetRevision), requestScope(r), `${r.approvals}/${r.requiredApprovals}`, r.requestedBy.email, r.createdAt, r.justification]),
        ]);
      });
    });
}
