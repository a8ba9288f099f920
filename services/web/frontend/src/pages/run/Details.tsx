import { links } from "../../app/routes";
import { formatDuration, formatTime, shortCommit } from "./format";
import { PARENT_TAG, tagsOf, type Run } from "./runApi";

// Who ran what, from where and when: the attributes and the tags MLflow sets itself.
export function Details({ run, children }: { run: Run; children: Run[] }) {
  const tags = tagsOf(run);
  const { info } = run;
  const parent = tags[PARENT_TAG];
  const commit = tags["mlflow.source.git.commit"];
  const rows: [string, preact.ComponentChildren][] = [
    ["Status", <span class={`status-${info.status}`}>{info.status}</span>],
    ["Run ID", <span class="mono">{info.run_id}</span>],
    ["Started", formatTime(info.start_time)],
    ["Ended", formatTime(info.end_time)],
    ["Duration", formatDuration(info.start_time, info.end_time)],
    ["User", tags["mlflow.user"] || info.user_id || "—"],
    ["Source", tags["mlflow.source.name"] ? <span class="mono">{tags["mlflow.source.name"]}</span> : "—"],
  ];
  if (commit) rows.push(["Git commit", <span class="mono" title={commit}>{shortCommit(commit)}</span>]);
  if (tags["mlflow.source.git.branch"]) rows.push(["Git branch", tags["mlflow.source.git.branch"]]);
  if (info.lifecycle_stage === "deleted") rows.push(["Lifecycle", <strong>deleted</strong>]);
  if (parent) rows.push(["Parent run", <a href={links.run(info.experiment_id, parent)}>{parent}</a>]);
  if (children.length > 0) {
    rows.push([
      "Child runs",
      <ul class="plain-list">
        {children.map((child) => (
          <li key={child.info.run_id}>
            <a href={links.run(child.info.experiment_id, child.info.run_id)}>
              {child.info.run_name || child.info.run_id}
            </a>{" "}
            <span class={`status-${child.info.status}`}>{child.info.status}</span>
          </li>
        ))}
      </ul>,
    ]);
  }
  return (
    <dl class="details">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
