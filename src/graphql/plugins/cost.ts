/**
 * The query cost limit (MAX_COST), weighted by the work fields do. graphql-armor's formula is kept
 * (objects 2, scalars 1, each level × 1.5, a selection × its `first`/`last`), with two additions:
 * a field's `extensions.cost` adds what it costs to resolve (a diff of two revisions costs more than
 * reading a column), and page sizes count when they come from variables too. A history page of
 * diffs is refused before it runs, not after 30 seconds.
 */
import {
  Kind,
  getNamedType,
  isInterfaceType,
  isObjectType,
  type FieldNode,
  type GraphQLCompositeType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

const OBJECT_COST = 2;
const SCALAR_COST = 1;
const DEPTH_FACTOR = 1.5;

interface CostExtensions {
  /** What resolving the field costs beyond reading a value. */
  cost?: number;
}

export function useWeightedCostLimit(maxCost: number): Plugin {
  return {
    onValidate({ addValidationRule, context }) {
      const variables = ((context as { params?: { variables?: Record<string, unknown> } }).params?.variables ?? {}) as Record<string, unknown>;
      addValidationRule((validation: ValidationContext) => ({
        OperationDefinition: {
          enter(operation: OperationDefinitionNode) {
            const cost = costOf(validation, operation, variables);
            if (cost <= maxCost) return;
            validation.reportError(
              createGraphQLError(`Query Cost limit of ${maxCost} exceeded, found ${cost}.`, {
                nodes: [operation],
                extensions: { code: 'MAX_COST_EXCEEDED', status: 400, http: { status: 400 } },
              }) as never,
            );
          },
        },
      }));
    },
  };
}

function costOf(validation: ValidationContext, operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
  const schema = validation.getSchema();
  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) return 0;
  /** A selection set's cost; `factor` scales each field (1 at the root, as in graphql-armor). */
  const walk = (set: SelectionSetNode, type: GraphQLCompositeType, factor: number, seen: ReadonlySet<string>): number =>
    set.selections.reduce((sum, selection) => {
      if (selection.kind === Kind.FIELD) return sum + factor * fieldCost(selection, type, seen);
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType | undefined) : type;
        return sum + walk(selection.selectionSet, condition ?? type, factor, seen);
      }
      const fragment = validation.getFragment(selection.name.value);
      // A fragment spread inside itself is invalid anyway (validation reports it); do not recurse forever.
      if (!fragment || seen.has(fragment.name.value)) return sum;
      const condition = schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType | undefined;
      return sum + walk(fragment.selectionSet, condition ?? type, factor, new Set([...seen, fragment.name.value]));
    }, 0);
  const fieldCost = (node: FieldNode, parent: GraphQLCompositeType, seen: ReadonlySet<string>): number => {
    if (node.name.value === '__schema' || node.name.value === '__type') return 0;
    const definition = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[node.name.value] : undefined;
    const extensions = (definition?.extensions ?? {}) as CostExtensions;
    const weight = extensions.cost ?? 0;
    if (!node.selectionSet) return SCALAR_COST + weight;
    const type = definition ? (getNamedType(definition.type) as GraphQLCompositeType) : parent;
    const multiplier = pageSize(node, variables) ?? 1;
    return (OBJECT_COST + weight + walk(node.selectionSet, type, DEPTH_FACTOR, seen)) * multiplier;
  };
  return walk(operation.selectionSet, root, 1, new Set());
}

/** `first` or `last`, literal or from a variable. */
function pageSize(node: FieldNode, variables: Record<string, unknown>): number | undefined {
  const argument = node.arguments?.find((arg) => arg.name.value === 'first' || arg.name.value === 'last');
  if (!argument) return undefined;
  const value = valueOf(argument.value, variables);
  return typeof value === 'number' && Number.isFinite(value) && value > 1 ? value : 1;
}

function valueOf(node: ValueNode, variables: Record<string, unknown>): unknown {
  if (node.kind === Kind.INT) return Number.parseInt(node.value, 10);
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  return undefined;
}

