// The overview: the person's own grid of widgets. "Customize" lets them
// add, remove, resize and reorder (drag, or the buttons and keyboard);
// every change is saved on the server at once.
import { useState } from "react";
import { closestCenter, DndContext, KeyboardSensor, PointerSensor, useSensor, useSensors, type DragEndEvent } from "@dnd-kit/core";
import { rectSortingStrategy, SortableContext, sortableKeyboardCoordinates, useSortable } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";

import { useLayout, useSaveLayout } from "../api/hooks";
import type { Widget } from "../api/types";
import { Async } from "../components/Async";
import { add, missing, move, remove, resize } from "../data/layout";
import { WIDGETS } from "../widgets/widgets";

export default function Overview() {
  const query = useLayout();
  const save = useSaveLayout();
  const [editing, setEditing] = useState(false);
  const [adding, setAdding] = useState("");
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );

  return (
    <Async query={query}>
      {(layout) => {
        const widgets = layout.widgets;
        const change = (next: Widget[]) => save.mutate(next);
        const onDragEnd = ({ active, over }: DragEndEvent) => {
          if (!over || active.id === over.id) return;
          const from = widgets.findIndex((w) => w.kind === active.id);
          const to = widgets.findIndex((w) => w.kind === over.id);
          change(move(widgets, from, to));
        };
        const addable = missing(widgets, Object.keys(WIDGETS));
        return (
          <>
            <div className="page-head">
              <h1>Overview</h1>
              <div className="actions">
                {save.isError && <span className="error" role="alert">Not saved: {save.error.message}</span>}
                <button type="button" className="quiet" aria-pressed={editing} onClick={() => setEditing(!editing)}>
                  {editing ? "Done" : "Customize"}
                </button>
              </div>
            </div>
            {editing && (
              <form
                className="toolbar"
                onSubmit={(e) => {
                  e.preventDefault();
                  if (adding) change(add(widgets, adding));
                  setAdding("");
                }}
              >
                <label>
                  Add a widget{" "}
                  <select value={adding} onChange={(e) => setAdding(e.target.value)} disabled={addable.length === 0}>
                    <option value="">Choose…</option>
                    {addable.map((kind) => (
                      <option key={kind} value={kind}>
                        {WIDGETS[kind].title}
                      </option>
                    ))}
                  </select>
                </label>
                <button type="submit" disabled={!adding}>
                  Add
                </button>
                <span className="muted small">Drag a widget by its handle, or use its buttons.</span>
              </form>
            )}
            <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
              <SortableContext items={widgets.map((w) => w.kind)} strategy={rectSortingStrategy}>
                <div className="grid" data-testid="widget-grid">
                  {widgets.map((widget, index) => (
                    <Tile
                      key={widget.kind}
                      widget={widget}
                      editing={editing}
                      first={index === 0}
                      last={index === widgets.length - 1}
                      onMove={(step) => change(move(widgets, index, index + step))}
                      onResize={(columns, rows) => change(resize(widgets, widget.kind, columns, rows))}
                      onRemove={() => change(remove(widgets, widget.kind))}
                    />
                  ))}
                </div>
              </SortableContext>
            </DndContext>
          </>
        );
      }}
    </Async>
  );
}

function Tile({
  widget,
  editing,
  first,
  last,
  onMove,
  onResize,
  onRemove,
}: {
  widget: Widget;
  editing: boolean;
  first: boolean;
  last: boolean;
  onMove(step: number): void;
  onResize(columns: number, rows: number): void;
  onRemove(): void;
}) {
  const sortable = useSortable({ id: widget.kind, disabled: !editing });
  const spec = WIDGETS[widget.kind];
  const titleId = `widget-${widget.kind}`;
  return (
    <section
      ref={sortable.setNodeRef}
      className={`card widget w${widget.width} h${widget.height}${sortable.isDragging ? " dragging" : ""}`}
      style={{ transform: CSS.Transform.toString(sortable.transform), transition: sortable.transition }}
      aria-labelledby={titleId}
      data-widget={widget.kind}
    >
      <header className="widget-head">
        <h2 id={titleId}>{spec?.title ?? widget.kind}</h2>
        {editing && (
          <div className="widget-tools">
            <button type="button" className="icon handle" aria-label={`Drag ${spec?.title}`} {...sortable.attributes} {...sortable.listeners}>
              ⠿
            </button>
            <button type="button" className="icon" aria-label={`Move ${spec?.title} earlier`} disabled={first} onClick={() => onMove(-1)}>
              ←
            </button>
            <button type="button" className="icon" aria-label={`Move ${spec?.title} later`} disabled={last} onClick={() => onMove(1)}>
              →
            </button>
            <button type="button" className="icon" aria-label={`Make ${spec?.title} narrower`} disabled={widget.width <= 1} onClick={() => onResize(-1, 0)}>
              −
            </button>
            <button type="button" className="icon" aria-label={`Make ${spec?.title} wider`} disabled={widget.width >= 4} onClick={() => onResize(1, 0)}>
              +
            </button>
            <button type="button" className="icon" aria-label={`Make ${spec?.title} taller`} disabled={widget.height >= 3} onClick={() => onResize(0, 1)}>
              ↧
            </button>
            <button type="button" className="icon" aria-label={`Make ${spec?.title} shorter`} disabled={widget.height <= 1} onClick={() => onResize(0, -1)}>
              ↥
            </button>
            <button type="button" className="icon" aria-label={`Remove ${spec?.title}`} onClick={onRemove}>
              ×
            </button>
          </div>
        )}
      </header>
      <div className="widget-body">{spec ? spec.render() : <p className="muted">Unknown widget</p>}</div>
    </section>
  );
}
