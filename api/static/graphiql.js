/* GraphiQL of `gongzhi serve --dev`, from the vendored builds (api/static/vendor/: React 18 and
 * GraphiQL, no CDN): the same origin's /graphql, with the dashboard's token of this tab, if any,
 * as the Authorization header (kept in this tab only, never persisted by GraphiQL). */
(function () {
  "use strict";
  const url = window.location.origin + window.location.pathname;
  const token = sessionStorage.getItem("gongzhi.token");
  const headers = JSON.stringify({ Authorization: "Bearer " + (token || "gz_...") }, null, 2);
  const query = [
    "# 共治 GraphQL：请在下方 Headers 中填入令牌 / put your token in Headers below",
    "query Me {",
    "  me { user role area { key name placeKind } }",
    "}",
    "",
  ].join("\n");
  const fetcher = GraphiQL.createFetcher({ url });
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultQuery: query,
      headers,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: "headers",
    }),
  );
})();
