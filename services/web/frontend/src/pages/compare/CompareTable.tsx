import { differs, type Column } from "../../charts/axes";
import { formatValue } from "../../charts/series";
import type { Run } from "../run/runApi";

interface Props {
  title: string;
  runs: Run[];
  columns: Column[];
  onlyDiffering: boolean;
}

// Keys down the side, runs across; a row whose runs disagree is marked (class and a visible
// "differs" mark, so it does not rely on colour alone).
export function CompareTable({ title, runs, columns, onlyDiffering }: Props) {
  const rows = onlyDiffering ? columns.filter((column) => differs(column.values)) : columns;
  if (rows.length === 0) return <p class="muted">{onlyDiffering ? `No ${title.toLowerCase()} differ.` : `No ${title.toLowerCase()}.`}</p>;
  return (
    <div class="table-wrap">
      <table class="data compare-table" aria-label={title}>
        <thead>
          <tr>
            <th scope="col">{title}</th>
            {runs.map((run) => (
              <th scope="col" key={run.info.run_id}>
                {run.info.run_name || run.info.run_id}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((column) => {
            const different = differs(column.values);
            return (
              <tr key={column.id} class={different ? "differs" : undefined} data-key={column.label}>
                <th scope="row" class="mono">
                  {column.label}
                  {different && <span class="differs-mark" title="Values differ between runs"> ≠</span>}
                </th>
                {column.values.map((value, i) => (
                  <td key={i} class={typeof value === "number" ? "num" : undefined}>
                    {value === undefined ? <span class="muted">—</span> : typeof value === "number" ? formatValue(value) : value}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
