import { graphql } from '../gql';

export const ViewerDocument = graphql(`
  query Viewer {
    viewer {
      id
      email
      name
      projectRoles {
        role
        project {
          slug
        }
      }
    }
  }
`);
