/** How a rollback request reads in text, wherever a command answers with one. */
import type { Cli } from './context';
import type { OncallRequestFragment } from './gql/graphql';
import { short, type Style } from './remote-output';

export function requestTarget(request: OncallRequestFragment): string {
  const te = request.tenantEnvironment;
  return `${te.project.slug}/${te.tenant}/${te.environment}`;
}

export function requestScope(request: OncallRequestFragment): string {
  const fields = request.selectedFields.map((f) => `${f.file} ${f.path}`).join(', ');
  return [request.mode, request.service, fields ? `(${fields})` : ''].filter(Boolean).join(' ');
}

function stateLine(request: OncallRequestFragment, style: Style): string {
  switch (request.state) {
    case 'PENDING':
      return style.yellow(`PENDING: ${request.approvals}/${request.requiredApprovals} approvals`);
    case 'COMPLETED':
      return style.green(`COMPLETED: commit ${short(request.resultRevision)}`);
    case 'FAILED':
      return style.red(`FAILED: ${request.error ?? 'execution failed'}${request.errorCode ? ` (${request.errorCode})` : ''}`);
    case 'REJECTED':
      return style.red('REJECTED');
    default:
      return request.state;
  }
}

export function printRequest(cli: Cli, request: OncallRequestFragment, style: Style): void {
  cli.line(`${style.bold(request.id)} ${stateLine(request, style)}`);
  cli.line(`  ${requestTarget(request)} → ${short(request.targetRevision)}, ${requestScope(request)}`);
  cli.line(`  requested by ${request.requestedBy.email}: ${request.justification}`);
  for (const review of request.reviews) {
    cli.line(`  ${review.decision === 'APPROVE' ? 'approved' : 'rejected'} by ${review.reviewer.email}${review.comment ? `: ${review.comment}` : ''}`);
  }
}
